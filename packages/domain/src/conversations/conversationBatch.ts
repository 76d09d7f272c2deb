import {
  MAX_JOB_ATTEMPTS,
  claimAttempt,
  leaseUntil,
  requireLease,
  type JobClaim,
  type JobLease,
  leaseOf,
} from '../jobs/jobLease';
import { DomainError } from '../shared/domainError';
import type {
  ConversationBatchAdvanced,
  ConversationBatchClaimed,
  ConversationBatchEvent,
  ConversationBatchFinished,
  ConversationBatchStarted,
  ConversationBatchStepPlanned,
} from './conversationBatchEvents';

export interface ConversationBatchState {
  readonly batchId: string;
  readonly finished: boolean;
  readonly recipientIds: readonly string[];
  readonly resumable: boolean;
  readonly lease: JobLease | null;
  /** Recipients done so far (a prefix of `recipientIds`). */
  readonly offset: number;
  readonly conversationIds: readonly string[];
  /** The ids fixed for the step at `offset`, until it is recorded done. */
  readonly planned: ConversationBatchStepPlanned['data'] | null;
}

export function evolveConversationBatch(
  state: ConversationBatchState | null,
  event: ConversationBatchEvent,
): ConversationBatchState | null {
  switch (event.type) {
    case 'ConversationBatchStarted':
      return {
        batchId: event.data.batchId,
        finished: false,
        recipientIds: event.data.recipientIds,
        resumable: event.data.resumable ?? false,
        lease: null,
        offset: 0,
        conversationIds: [],
        planned: null,
      };
    case 'ConversationBatchClaimed':
      return (
        state && {
          ...state,
          lease: leaseOf(event.data),
        }
      );
    case 'ConversationBatchStepPlanned':
      return state && { ...state, planned: event.data };
    case 'ConversationBatchAdvanced':
      return (
        state && {
          ...state,
          offset: event.data.offset + event.data.conversationIds.length,
          conversationIds: [...state.conversationIds, ...event.data.conversationIds],
          planned: null,
        }
      );
    case 'ConversationBatchFinished':
      return state && { ...state, finished: true };
  }
}

export function startConversationBatch(
  state: ConversationBatchState | null,
  data: ConversationBatchStarted['data'],
): ConversationBatchStarted[] {
  if (state) throw new DomainError('conflict', 'batch', 'batch already exists');
  if (data.recipientIds.length === 0) throw new DomainError('invalid', 'recipients', 'blank');
  return [{ type: 'ConversationBatchStarted', data }];
}

function notFound(): DomainError {
  return new DomainError('not_found', 'batch', 'The specified resource does not exist.');
}

/**
 * A runner takes the batch (or renews its lease). A batch claimed too often without finishing
 * ends in `error` with the conversations sent so far, like a send that failed; so does a
 * batch from before batches were resumable, with what it sent unknown.
 */
export function claimConversationBatch(
  state: ConversationBatchState | null,
  claim: JobClaim,
): (ConversationBatchClaimed | ConversationBatchFinished)[] {
  if (!state) throw notFound();
  if (state.finished) return [];
  const attempt = claimAttempt(state.lease, claim);
  const at = claim.now.toISOString();
  if (attempt > MAX_JOB_ATTEMPTS || !state.resumable) {
    return [
      {
        type: 'ConversationBatchFinished',
        data: {
          batchId: state.batchId,
          workflowState: 'error',
          conversationIds: [...state.conversationIds],
          at,
        },
      },
    ];
  }
  return [
    {
      type: 'ConversationBatchClaimed',
      data: {
        batchId: state.batchId,
        runner: claim.runner,
        attempt,
        leaseUntil: leaseUntil(claim),
        at,
      },
    },
  ];
}

/**
 * Fixes the ids of the next step's conversations and messages. A step already planned keeps
 * its ids (the caller reads them from the state), so a repeated step reuses them.
 */
export function planConversationBatchStep(
  state: ConversationBatchState | null,
  cmd: {
    runner: string;
    offset: number;
    ids: readonly { conversationId: string; messageId: string }[];
  },
): ConversationBatchStepPlanned[] {
  if (!state) throw notFound();
  requireLease(state.lease, cmd.runner);
  if (state.finished || state.planned?.offset === cmd.offset) return [];
  if (cmd.offset !== state.offset || cmd.ids.length < 1) {
    throw new DomainError('invalid', 'offset', 'steps are planned in order');
  }
  if (cmd.offset + cmd.ids.length > state.recipientIds.length) {
    throw new DomainError('invalid', 'offset', 'the step goes past the last recipient');
  }
  return [
    {
      type: 'ConversationBatchStepPlanned',
      data: { batchId: state.batchId, offset: cmd.offset, ids: cmd.ids.map((i) => ({ ...i })) },
    },
  ];
}

/** Records the planned step done, by the lease holder; a step already recorded decides nothing. */
export function advanceConversationBatch(
  state: ConversationBatchState | null,
  cmd: { runner: string; offset: number; conversationIds: readonly string[]; at: string },
): ConversationBatchAdvanced[] {
  if (!state) throw notFound();
  requireLease(state.lease, cmd.runner);
  if (state.finished || cmd.offset < state.offset) return [];
  if (
    state.planned?.offset !== cmd.offset ||
    state.planned.ids.length !== cmd.conversationIds.length
  ) {
    throw new DomainError('invalid', 'offset', 'only the planned step can be recorded');
  }
  return [
    {
      type: 'ConversationBatchAdvanced',
      data: {
        batchId: state.batchId,
        offset: cmd.offset,
        conversationIds: [...cmd.conversationIds],
        at: cmd.at,
      },
    },
  ];
}

/**
 * Finishing twice decides nothing, so a retried job cannot flip a finished batch. Once a runner
 * has claimed the batch, only the lease holder finishes it.
 */
export function finishConversationBatch(
  state: ConversationBatchState | null,
  cmd: {
    workflowState: 'sent' | 'error';
    conversationIds: string[];
    at: string;
    runner?: string;
  },
): ConversationBatchFinished[] {
  if (!state) throw notFound();
  if (state.finished) return [];
  // A lease holder always has a name, so a missing runner is refused whatever it defaults to:
  // the default's text cannot change an outcome (the mutation tool is told so on the next line).
  // Stryker disable next-line StringLiteral
  if (state.lease) requireLease(state.lease, cmd.runner ?? '');
  return [
    {
      type: 'ConversationBatchFinished',
      data: {
        batchId: state.batchId,
        workflowState: cmd.workflowState,
        conversationIds: cmd.conversationIds,
        at: cmd.at,
      },
    },
  ];
}

/** Ends a durable batch once every recipient's step is recorded, with the conversations sent. */
export function completeConversationBatch(
  state: ConversationBatchState | null,
  cmd: { runner: string; at: string },
): ConversationBatchFinished[] {
  if (!state) throw notFound();
  if (state.finished) return [];
  if (state.offset < state.recipientIds.length) {
    throw new DomainError('invalid', 'offset', 'the batch has recipients left');
  }
  return finishConversationBatch(state, {
    workflowState: 'sent',
    conversationIds: [...state.conversationIds],
    at: cmd.at,
    runner: cmd.runner,
  });
}
