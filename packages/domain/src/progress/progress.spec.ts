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
const exists = {
  kind: 'conflict',
  attribute: 'progress',
  message: 'progress already exists',
} as const;
const leasedElsewhere = {
  kind: 'conflict',
  attribute: 'job',
  message: 'the job is leased to another runner',
} as const;
const outOfOrder = {
  kind: 'invalid',
  attribute: 'offset',
  message: 'steps are recorded in order',
} as const;
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
      .thenThrows(exists);
  });

  it('is not found before it is queued', () => {
    const notFound = {
      kind: 'not_found',
      attribute: 'progress',
      message: 'The specified resource does not exist.',
    } as const;
    const step = { runner: 'a', offset: 0, count: 1, processed: 1, notParticipating: [], at };
    progress
      .given()
      .when((s) => claimProgress(s, { runner: 'a', now: new Date(at), leaseMs: 1000 }))
      .thenThrows(notFound);
    progress
      .given()
      .when((s) => advanceBatchUpdate(s, step))
      .thenThrows(notFound);
    progress
      .given()
      .when((s) => completeBatchUpdate(s, { processed: 1, notParticipating: [], at }))
      .thenThrows(notFound);
    progress
      .given()
      .when((s) => finishBatchUpdate(s, { runner: 'a', at }))
      .thenThrows(notFound);
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
      .thenThrows(exists);
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
      .thenThrows(leasedElsewhere);
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
      .thenThrows(leasedElsewhere);
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
      .thenThrows({
        kind: 'invalid',
        attribute: 'offset',
        message: 'the batch update has steps left',
      });
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
    // Finished, it stays finished: nobody's step or finish decides anything any more.
    const done = finishBatchUpdate(
      [job, first, advanced, rest].reduce<ProgressState | null>(evolveProgress, null),
      { runner: 'a', at },
    );
    progress
      .given(job, first, advanced, rest, ...done)
      .when((s) => finishBatchUpdate(s, { runner: 'b', at }))
      .then([]);
  });

  it('refuses a step that skips ahead, is empty, or goes past the last id', () => {
    const step = { runner: 'a', processed: 1, notParticipating: [], at };
    for (const wrong of [
      { offset: 1, count: 1 },
      { offset: 0, count: 0 },
      { offset: 0, count: 4 },
      { offset: 2, count: 2 },
    ]) {
      progress
        .given(job, first)
        .when((s) => advanceBatchUpdate(s, { ...step, ...wrong }))
        .thenThrows(outOfOrder);
    }
    progress
      .given(job, first)
      .when((s) => advanceBatchUpdate(s, { ...step, offset: 0, count: 3 }))
      .then([
        {
          type: 'ProgressAdvanced',
          data: { ...advanced.data, count: 3, notParticipating: [], completion: 99 },
        },
      ]);
  });

  it(`gives up after ${MAX_JOB_ATTEMPTS} attempts, and fails a job queued without its request`, () => {
    const attempts = Array.from({ length: MAX_JOB_ATTEMPTS }, (_, i) =>
      claimed(`r${i}`, i + 1, '2025-12-31T00:00:00.000Z'),
    );
    progress
      .given(job, ...attempts.slice(0, -1))
      .when((s) => claimProgress(s, { runner: 'z', now, leaseMs: 60_000 }))
      .then([claimed('z', MAX_JOB_ATTEMPTS, '2026-01-01T00:01:00.000Z')]);
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
