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
  evolveConversationBatch,
  finishConversationBatch,
  planConversationBatchStep,
  startConversationBatch,
  type ConversationBatchState,
} from './conversationBatch';
import type { ConversationBatchClaimed, ConversationBatchEvent } from './conversationBatchEvents';

describe('ConversationBatch guards', () => {
  const finished = {
    type: 'ConversationBatchFinished' as const,
    data: { batchId: '3', workflowState: 'sent' as const, conversationIds: [], at },
  };
  const unknownBatch = {
    kind: 'not_found',
    attribute: 'batch',
    message: 'The specified resource does not exist.',
  } as const;
  const step = (offset: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      conversationId: String(10 + offset + i),
      messageId: String(20 + offset + i),
    }));

  it('refuses every command on a batch that was never started', () => {
    const commands: ((s: ConversationBatchState | null) => ConversationBatchEvent[])[] = [
      (s) => claimConversationBatch(s, { runner: 'a', now, leaseMs: 60_000 }),
      (s) => planConversationBatchStep(s, { runner: 'a', offset: 0, ids: step(0, 1) }),
      (s) => advanceConversationBatch(s, { runner: 'a', offset: 0, conversationIds: ['10'], at }),
      (s) => finishConversationBatch(s, { workflowState: 'sent', conversationIds: [], at }),
      (s) => completeConversationBatch(s, { runner: 'a', at }),
    ];
    for (const command of commands) batch.given().when(command).thenThrows(unknownBatch);
    expect(commands).toHaveLength(5);
  });

  it('names the broken rule when a batch starts twice or without recipients', () => {
    batch
      .given(started)
      .when((s) => startConversationBatch(s, started.data))
      .thenThrows({ kind: 'conflict', attribute: 'batch', message: 'batch already exists' });
    batch
      .given()
      .when((s) => startConversationBatch(s, { ...started.data, recipientIds: [] }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'blank' });
  });

  it('decides nothing once finished', () => {
    batch
      .given(resumable, claimed, finished)
      .when((s) => claimConversationBatch(s, { runner: 'a', now, leaseMs: 60_000 }))
      .then([]);
    batch
      .given(resumable, claimed, finished)
      .when((s) => planConversationBatchStep(s, { runner: 'a', offset: 0, ids: step(0, 1) }))
      .then([]);
    batch
      .given(resumable, claimed, planned, finished)
      .when((s) =>
        advanceConversationBatch(s, { runner: 'a', offset: 0, conversationIds: ['10'], at }),
      )
      .then([]);
    batch
      .given(resumable, claimed, finished)
      .when((s) => completeConversationBatch(s, { runner: 'a', at }))
      .then([]);
  });

  it('plans steps in order, non-empty, and never past the last recipient', () => {
    const plan =
      (offset: number, ids: { conversationId: string; messageId: string }[]) =>
      (s: ConversationBatchState | null) =>
        planConversationBatchStep(s, { runner: 'a', offset, ids });
    const outOfOrder = {
      kind: 'invalid',
      attribute: 'offset',
      message: 'steps are planned in order',
    } as const;
    batch
      .given(resumable, claimed)
      .when(plan(1, step(1, 1)))
      .thenThrows(outOfOrder);
    batch.given(resumable, claimed).when(plan(0, [])).thenThrows(outOfOrder);
    // Two recipients: a step of both fits exactly, a step of three goes past the end.
    batch
      .given(resumable, claimed)
      .when(plan(0, step(0, 2)))
      .then([
        {
          type: 'ConversationBatchStepPlanned',
          data: { batchId: '3', offset: 0, ids: step(0, 2) },
        },
      ]);
    batch
      .given(resumable, claimed)
      .when(plan(0, step(0, 3)))
      .thenThrows({
        kind: 'invalid',
        attribute: 'offset',
        message: 'the step goes past the last recipient',
      });
    // After the first recipient is done, one more fits and two do not.
    batch
      .given(resumable, claimed, planned, advanced)
      .when(plan(1, step(1, 1)))
      .then([
        {
          type: 'ConversationBatchStepPlanned',
          data: { batchId: '3', offset: 1, ids: step(1, 1) },
        },
      ]);
    batch
      .given(resumable, claimed, planned, advanced)
      .when(plan(1, step(1, 2)))
      .thenThrows({
        kind: 'invalid',
        attribute: 'offset',
        message: 'the step goes past the last recipient',
      });
    batch
      .given(resumable)
      .when(plan(0, step(0, 1)))
      .thenThrows(leasedElsewhere);
  });

  it('records only the planned step, by the lease holder', () => {
    const onlyPlanned = {
      kind: 'invalid',
      attribute: 'offset',
      message: 'only the planned step can be recorded',
    } as const;
    const advance =
      (offset: number, conversationIds: string[], runner = 'a') =>
      (s: ConversationBatchState | null) =>
        advanceConversationBatch(s, { runner, offset, conversationIds, at });
    batch
      .given(resumable, claimed)
      .when(advance(0, ['10']))
      .thenThrows(onlyPlanned);
    batch
      .given(resumable, claimed, planned)
      .when(advance(1, ['11']))
      .thenThrows(onlyPlanned);
    batch
      .given(resumable, claimed, planned)
      .when(advance(0, ['10', '11']))
      .thenThrows(onlyPlanned);
    batch
      .given(resumable, claimed, planned)
      .when(advance(0, ['10'], 'b'))
      .thenThrows(leasedElsewhere);
  });

  it('completes only when every recipient is done, by the lease holder', () => {
    batch
      .given(resumable, claimed, planned, advanced)
      .when((s) => completeConversationBatch(s, { runner: 'a', at }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'offset',
        message: 'the batch has recipients left',
      });
    batch
      .given(resumable, claimed)
      .when((s) =>
        finishConversationBatch(s, { workflowState: 'sent', conversationIds: [], at, runner: 'b' }),
      )
      .thenThrows(leasedElsewhere);
    batch
      .given(resumable, claimed)
      .when((s) => finishConversationBatch(s, { workflowState: 'error', conversationIds: [], at }))
      .thenThrows(leasedElsewhere);
  });

  it(`claims attempt ${MAX_JOB_ATTEMPTS} and refuses only the one after it`, () => {
    const attempts = (n: number) =>
      Array.from({ length: n }, (_, i): ConversationBatchClaimed => ({
        type: 'ConversationBatchClaimed',
        data: { ...claimed.data, runner: `r${i}`, attempt: i + 1, leaseUntil: at },
      }));
    batch
      .given(resumable, ...attempts(MAX_JOB_ATTEMPTS - 1))
      .when((s) => claimConversationBatch(s, { runner: 'z', now, leaseMs: 60_000 }))
      .then([
        {
          type: 'ConversationBatchClaimed',
          data: {
            batchId: '3',
            runner: 'z',
            attempt: MAX_JOB_ATTEMPTS,
            leaseUntil: '2026-01-01T00:01:00.000Z',
            at,
          },
        },
      ]);
  });

  it('folds a later event into no state when the batch never started', () => {
    expect(evolveConversationBatch(null, claimed)).toBeNull();
    expect(evolveConversationBatch(null, planned)).toBeNull();
    expect(evolveConversationBatch(null, advanced)).toBeNull();
    expect(evolveConversationBatch(null, finished)).toBeNull();
  });
});
