import { MAX_JOB_ATTEMPTS } from '../jobs/jobLease';
import {
  advanced,
  at,
  batch,
  claimed,
  leasedElsewhere,
  now,
  planned,
  resumable,
  started,
} from '../testing/conversationBatchFixtures';
import {
  advanceConversationBatch,
  claimConversationBatch,
  completeConversationBatch,
  finishConversationBatch,
  planConversationBatchStep,
  startConversationBatch,
  type ConversationBatchState,
} from './conversationBatch';
import type {
  ConversationBatchAdvanced,
  ConversationBatchClaimed,
  ConversationBatchStepPlanned,
} from './conversationBatchEvents';

describe('ConversationBatch', () => {
  it('starts once, with recipients', () => {
    batch
      .given()
      .when((s) => startConversationBatch(s, started.data))
      .then([started]);
    batch
      .given(started)
      .when((s) => startConversationBatch(s, started.data))
      .thenThrows({ kind: 'conflict', attribute: 'batch', message: 'batch already exists' });
    batch
      .given()
      .when((s) => startConversationBatch(s, { ...started.data, recipientIds: [] }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'blank' });
  });

  it('finishes once', () => {
    const finished = {
      type: 'ConversationBatchFinished' as const,
      data: { batchId: '3', workflowState: 'sent' as const, conversationIds: ['10', '11'], at },
    };
    batch
      .given(started)
      .when((s) =>
        finishConversationBatch(s, { workflowState: 'sent', conversationIds: ['10', '11'], at }),
      )
      .then([finished]);
    batch
      .given(started, finished)
      .when((s) => finishConversationBatch(s, { workflowState: 'error', conversationIds: [], at }))
      .then([]);
  });
});

describe('ConversationBatch as a durable job', () => {
  it('is claimed by one runner at a time, and taken over once the lease runs out', () => {
    batch
      .given(resumable)
      .when((s) => claimConversationBatch(s, { runner: 'a', now, leaseMs: 60_000 }))
      .then([claimed]);
    batch
      .given(resumable, claimed)
      .when((s) => claimConversationBatch(s, { runner: 'b', now, leaseMs: 60_000 }))
      .thenThrows(leasedElsewhere);
    const later = new Date('2026-01-01T00:05:00.000Z');
    batch
      .given(resumable, claimed)
      .when((s) => claimConversationBatch(s, { runner: 'b', now: later, leaseMs: 60_000 }))
      .then([
        {
          type: 'ConversationBatchClaimed',
          data: {
            batchId: '3',
            runner: 'b',
            attempt: 2,
            leaseUntil: '2026-01-01T00:06:00.000Z',
            at: later.toISOString(),
          },
        },
      ]);
  });

  it('fixes a step’s ids once, before anything is written for it', () => {
    const plan =
      (ids: { conversationId: string; messageId: string }[], runner = 'a') =>
      (s: ConversationBatchState | null) =>
        planConversationBatchStep(s, { runner, offset: 0, ids });
    batch
      .given(resumable, claimed)
      .when(plan([{ conversationId: '10', messageId: '20' }]))
      .then([planned]);
    batch
      .given(resumable, claimed, planned)
      .when(plan([{ conversationId: '99', messageId: '98' }]))
      .then([]);
    batch
      .given(resumable, claimed)
      .when(plan([{ conversationId: '10', messageId: '20' }], 'b'))
      .thenThrows(leasedElsewhere);
  });

  it('records the planned step done once, then completes with the conversations sent', () => {
    batch
      .given(resumable, claimed, planned)
      .when((s) =>
        advanceConversationBatch(s, { runner: 'a', offset: 0, conversationIds: ['10'], at }),
      )
      .then([advanced]);
    batch
      .given(resumable, claimed, planned, advanced)
      .when((s) =>
        advanceConversationBatch(s, { runner: 'a', offset: 0, conversationIds: ['10'], at }),
      )
      .then([]);
    batch
      .given(resumable, claimed, planned, advanced)
      .when((s) => completeConversationBatch(s, { runner: 'a', at }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'offset',
        message: 'the batch has recipients left',
      });
    const second: ConversationBatchStepPlanned = {
      type: 'ConversationBatchStepPlanned',
      data: { batchId: '3', offset: 1, ids: [{ conversationId: '11', messageId: '21' }] },
    };
    const secondDone: ConversationBatchAdvanced = {
      type: 'ConversationBatchAdvanced',
      data: { batchId: '3', offset: 1, conversationIds: ['11'], at },
    };
    batch
      .given(resumable, claimed, planned, advanced, second, secondDone)
      .when((s) => completeConversationBatch(s, { runner: 'a', at }))
      .then([
        {
          type: 'ConversationBatchFinished',
          data: { batchId: '3', workflowState: 'sent', conversationIds: ['10', '11'], at },
        },
      ]);
  });

  it('ends a batch from before batches were resumable in error, sending nothing more', () => {
    batch
      .given(started)
      .when((s) => claimConversationBatch(s, { runner: 'a', now, leaseMs: 60_000 }))
      .then([
        {
          type: 'ConversationBatchFinished',
          data: { batchId: '3', workflowState: 'error', conversationIds: [], at },
        },
      ]);
  });

  it(`ends in error after ${MAX_JOB_ATTEMPTS} attempts, with what was sent`, () => {
    const attempts = Array.from({ length: MAX_JOB_ATTEMPTS }, (_, i): ConversationBatchClaimed => ({
      type: 'ConversationBatchClaimed',
      data: { ...claimed.data, runner: `r${i}`, attempt: i + 1, leaseUntil: at },
    }));
    batch
      .given(resumable, ...attempts, planned, advanced)
      .when((s) => claimConversationBatch(s, { runner: 'z', now, leaseMs: 60_000 }))
      .then([
        {
          type: 'ConversationBatchFinished',
          data: { batchId: '3', workflowState: 'error', conversationIds: ['10'], at },
        },
      ]);
  });
});
