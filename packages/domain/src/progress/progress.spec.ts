import { spec } from '../testing/givenWhenThen';
import { MAX_JOB_ATTEMPTS } from '../jobs/jobLease';
import {
  advanceBatchUpdate,
  claimProgress,
  completeBatchUpdate,
  evolveProgress,
  finishBatchUpdate,
  queueProgress,
  recordFinishedJob,
  type ProgressState,
} from './progress';
import type {
  ProgressAdvanced,
  ProgressClaimed,
  ProgressEvent,
  ProgressQueued,
} from './progressEvents';

const at = '2026-01-01T00:00:00.000Z';
const progress = spec<ProgressState, ProgressEvent>(evolveProgress);
const queued: ProgressQueued = {
  type: 'ProgressQueued',
  data: { progressId: '9', userId: '2', tag: 'conversation_batch_update', createdAt: at },
};

describe('Progress', () => {
  it('is queued once', () => {
    progress
      .given()
      .when((s) => queueProgress(s, queued.data))
      .then([queued]);
    progress
      .given(queued)
      .when((s) => queueProgress(s, queued.data))
      .thenThrows({ kind: 'conflict' });
  });

  it('completes with the processed count and a note per skipped id', () => {
    progress
      .given(queued)
      .when((s) => completeBatchUpdate(s, { processed: 2, notParticipating: ['7'], at }))
      .then([
        {
          type: 'ProgressCompleted',
          data: {
            progressId: '9',
            workflowState: 'completed',
            message: '2 conversations processed\nError updating conversation 7: not participating',
            at,
          },
        },
      ]);
  });

  it('fails when nothing succeeded, and completes only once', () => {
    const [done] = completeBatchUpdate(evolveProgress(null, queued), {
      processed: 0,
      notParticipating: ['7'],
      at,
    });
    expect(done!.data.workflowState).toBe('failed');
    progress
      .given(queued, done!)
      .when((s) => completeBatchUpdate(s, { processed: 1, notParticipating: [], at }))
      .then([]);
  });
});

describe('A job finished within its request', () => {
  it('is queued and completed in one decision, once', () => {
    const job = { progressId: '9', userId: '2', tag: 'user_erasure', message: 'erased', at };
    const done = {
      type: 'ProgressCompleted' as const,
      data: { progressId: '9', workflowState: 'completed' as const, message: 'erased', at },
    };
    const started: ProgressQueued = {
      type: 'ProgressQueued',
      data: { progressId: '9', userId: '2', tag: 'user_erasure', createdAt: at },
    };
    progress
      .given()
      .when((s) => recordFinishedJob(s, job))
      .then([started, done]);
    progress
      .given(started, done)
      .when((s) => recordFinishedJob(s, job))
      .thenThrows({ kind: 'conflict' });
    // Nothing is left for a job runner to claim.
    progress
      .given(started, done)
      .when((s) => claimProgress(s, { runner: 'r', leaseMs: 1000, now: new Date(at) }))
      .then([]);
  });
});

describe('Progress of a durable batch update', () => {
  const now = new Date(at);
  const job: ProgressQueued = {
    type: 'ProgressQueued',
    data: {
      ...queued.data,
      batchUpdate: { conversationIds: ['1', '2', '3'], event: 'star' },
    },
  };
  const claimed = (
    runner: string,
    attempt: number,
    leaseUntil: string,
    claimedAt = at,
  ): ProgressClaimed => ({
    type: 'ProgressClaimed',
    data: { progressId: '9', runner, attempt, leaseUntil, at: claimedAt },
  });
  const first = claimed('a', 1, '2026-01-01T00:01:00.000Z');
  const advanced: ProgressAdvanced = {
    type: 'ProgressAdvanced',
    data: {
      progressId: '9',
      offset: 0,
      count: 2,
      processed: 1,
      notParticipating: ['2'],
      completion: 66,
      at,
    },
  };

  it('is queued with its request, ids deduplicated in order', () => {
    progress
      .given()
      .when((s) =>
        queueProgress(s, {
          ...queued.data,
          batchUpdate: { conversationIds: ['1', '2', '1', '3'], event: 'star' },
        }),
      )
      .then([job]);
  });

  it('is claimed with a lease by one runner at a time', () => {
    progress
      .given(job)
      .when((s) => claimProgress(s, { runner: 'a', now, leaseMs: 60_000 }))
      .then([first]);
    progress
      .given(job, first)
      .when((s) => claimProgress(s, { runner: 'b', now, leaseMs: 60_000 }))
      .thenThrows({ kind: 'conflict' });
  });

  it('is taken over once the lease has run out', () => {
    const later = new Date('2026-01-01T00:02:00.000Z');
    progress
      .given(job, first)
      .when((s) => claimProgress(s, { runner: 'b', now: later, leaseMs: 60_000 }))
      .then([claimed('b', 2, '2026-01-01T00:03:00.000Z', later.toISOString())]);
  });

  it('records steps in order, by the lease holder only, below 100%', () => {
    progress
      .given(job, first)
      .when((s) =>
        advanceBatchUpdate(s, {
          runner: 'a',
          offset: 0,
          count: 2,
          processed: 1,
          notParticipating: ['2'],
          at,
        }),
      )
      .then([advanced]);
    progress
      .given(job, first)
      .when((s) =>
        advanceBatchUpdate(s, {
          runner: 'b',
          offset: 0,
          count: 2,
          processed: 1,
          notParticipating: [],
          at,
        }),
      )
      .thenThrows({ kind: 'conflict' });
    progress
      .given(job, first, advanced)
      .when((s) =>
        advanceBatchUpdate(s, {
          runner: 'a',
          offset: 0,
          count: 2,
          processed: 1,
          notParticipating: [],
          at,
        }),
      )
      .then([]);
    progress
      .given(job, first, advanced)
      .when((s) =>
        advanceBatchUpdate(s, {
          runner: 'a',
          offset: 2,
          count: 1,
          processed: 1,
          notParticipating: [],
          at,
        }),
      )
      .then([
        {
          type: 'ProgressAdvanced',
          data: { ...advanced.data, offset: 2, count: 1, notParticipating: [], completion: 99 },
        },
      ]);
  });

  it('finishes from the steps recorded, once every id is handled', () => {
    const rest: ProgressAdvanced = {
      type: 'ProgressAdvanced',
      data: { ...advanced.data, offset: 2, count: 1, notParticipating: [], completion: 99 },
    };
    progress
      .given(job, first, advanced)
      .when((s) => finishBatchUpdate(s, { runner: 'a', at }))
      .thenThrows({ kind: 'invalid' });
    progress
      .given(job, first, advanced, rest)
      .when((s) => finishBatchUpdate(s, { runner: 'a', at }))
      .then([
        {
          type: 'ProgressCompleted',
          data: {
            progressId: '9',
            workflowState: 'completed',
            message: '2 conversations processed\nError updating conversation 2: not participating',
            at,
          },
        },
      ]);
  });

  it(`gives up after ${MAX_JOB_ATTEMPTS} attempts, and fails a job queued without its request`, () => {
    const attempts = Array.from({ length: MAX_JOB_ATTEMPTS }, (_, i) =>
      claimed(`r${i}`, i + 1, '2025-12-31T00:00:00.000Z'),
    );
    progress
      .given(job, ...attempts)
      .when((s) => claimProgress(s, { runner: 'z', now, leaseMs: 60_000 }))
      .then([
        {
          type: 'ProgressCompleted',
          data: {
            progressId: '9',
            workflowState: 'failed',
            message: `gave up after ${MAX_JOB_ATTEMPTS} attempts`,
            at,
          },
        },
      ]);
    progress
      .given(queued)
      .when((s) => claimProgress(s, { runner: 'z', now, leaseMs: 60_000 }))
      .then([
        {
          type: 'ProgressCompleted',
          data: {
            progressId: '9',
            workflowState: 'failed',
            message: 'the job was interrupted and cannot be resumed',
            at,
          },
        },
      ]);
  });
});
