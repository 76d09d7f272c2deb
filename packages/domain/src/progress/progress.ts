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
  BatchUpdateAction,
  ProgressAdvanced,
  ProgressClaimed,
  ProgressCompleted,
  ProgressEvent,
  ProgressQueued,
} from './progressEvents';

export interface ProgressState {
  readonly progressId: string;
  readonly done: boolean;
  readonly batchUpdate: ProgressQueued['data']['batchUpdate'] | null;
  readonly lease: JobLease | null;
  /** Conversation ids of the batch update handled so far (a prefix of its list). */
  readonly offset: number;
  readonly processed: number;
  readonly notParticipating: readonly string[];
}

export function evolveProgress(
  state: ProgressState | null,
  event: ProgressEvent,
): ProgressState | null {
  switch (event.type) {
    case 'ProgressQueued':
      return {
        progressId: event.data.progressId,
        done: false,
        batchUpdate: event.data.batchUpdate ?? null,
        lease: null,
        offset: 0,
        processed: 0,
        notParticipating: [],
      };
    case 'ProgressClaimed':
      return (
        state && {
          ...state,
          lease: leaseOf(event.data),
        }
      );
    case 'ProgressAdvanced':
      return (
        state && {
          ...state,
          offset: event.data.offset + event.data.count,
          processed: state.processed + event.data.processed,
          notParticipating: [...state.notParticipating, ...event.data.notParticipating],
        }
      );
    case 'ProgressCompleted':
      return state && { ...state, done: true };
  }
}

export function queueProgress(
  state: ProgressState | null,
  cmd: {
    progressId: string;
    userId: string;
    tag: string;
    createdAt: string;
    batchUpdate?: { conversationIds: readonly string[]; event: BatchUpdateAction };
  },
): ProgressQueued[] {
  if (state) throw new DomainError('conflict', 'progress', 'progress already exists');
  const { batchUpdate, ...data } = cmd;
  return [
    {
      type: 'ProgressQueued',
      data: batchUpdate
        ? {
            ...data,
            batchUpdate: {
              conversationIds: [...new Set(batchUpdate.conversationIds)],
              event: batchUpdate.event,
            },
          }
        : data,
    },
  ];
}

function notFound(): DomainError {
  return new DomainError('not_found', 'progress', 'The specified resource does not exist.');
}

/**
 * A runner takes the job (or renews its lease). A job claimed too often without finishing is
 * failed instead: its runners keep dying on it, and a client polling it deserves an answer.
 * A job queued without its batch update (before jobs were durable) cannot be run: it fails.
 */
export function claimProgress(
  state: ProgressState | null,
  claim: JobClaim,
): (ProgressClaimed | ProgressCompleted)[] {
  if (!state) throw notFound();
  if (state.done) return [];
  const attempt = claimAttempt(state.lease, claim);
  const at = claim.now.toISOString();
  if (!state.batchUpdate || attempt > MAX_JOB_ATTEMPTS) {
    return [
      {
        type: 'ProgressCompleted',
        data: {
          progressId: state.progressId,
          workflowState: 'failed',
          message: state.batchUpdate
            ? `gave up after ${MAX_JOB_ATTEMPTS} attempts`
            : 'the job was interrupted and cannot be resumed',
          at,
        },
      },
    ];
  }
  return [
    {
      type: 'ProgressClaimed',
      data: {
        progressId: state.progressId,
        runner: claim.runner,
        attempt,
        leaseUntil: leaseUntil(claim),
        at,
      },
    },
  ];
}

/**
 * Records a step of the batch update done by the lease holder. A step already recorded (a
 * runner that lost its lease repeating it) decides nothing.
 */
export function advanceBatchUpdate(
  state: ProgressState | null,
  cmd: {
    runner: string;
    offset: number;
    count: number;
    processed: number;
    notParticipating: readonly string[];
    at: string;
  },
): ProgressAdvanced[] {
  if (!state) throw notFound();
  requireLease(state.lease, cmd.runner);
  if (state.done || cmd.offset < state.offset) return [];
  const total = state.batchUpdate?.conversationIds.length ?? 0;
  if (cmd.offset !== state.offset || cmd.count < 1 || cmd.offset + cmd.count > total) {
    throw new DomainError('invalid', 'offset', 'steps are recorded in order');
  }
  return [
    {
      type: 'ProgressAdvanced',
      data: {
        progressId: state.progressId,
        offset: cmd.offset,
        count: cmd.count,
        processed: cmd.processed,
        notParticipating: [...cmd.notParticipating],
        // 100 is for the completed job: a client stops polling there.
        completion: Math.min(99, Math.floor(((cmd.offset + cmd.count) * 100) / total)),
        at: cmd.at,
      },
    },
  ];
}

export const BATCH_UPDATE_EVENTS = [
  'mark_as_read',
  'mark_as_unread',
  'star',
  'unstar',
  'archive',
  'destroy',
] as const satisfies readonly BatchUpdateAction[];
export type BatchUpdateEvent = BatchUpdateAction;

/**
 * Ends a conversation batch update the way Canvas words it: `N conversations processed`, a
 * note per id the user is not in, and `failed` when nothing succeeded.
 */
export function completeBatchUpdate(
  state: ProgressState | null,
  cmd: { processed: number; notParticipating: readonly string[]; at: string },
): ProgressCompleted[] {
  if (!state) throw notFound();
  if (state.done) return [];
  const notes = cmd.notParticipating.map(
    (id) => `Error updating conversation ${id}: not participating`,
  );
  return [
    {
      type: 'ProgressCompleted',
      data: {
        progressId: state.progressId,
        workflowState: cmd.processed > 0 ? 'completed' : 'failed',
        message: [`${cmd.processed} conversations processed`, ...notes].join('\n'),
        at: cmd.at,
      },
    },
  ];
}

/**
 * Ends a durable batch update once every step is recorded, from the steps' own counts; only
 * the lease holder ends it, and only once.
 */
export function finishBatchUpdate(
  state: ProgressState | null,
  cmd: { runner: string; at: string },
): ProgressCompleted[] {
  if (!state) throw notFound();
  if (state.done) return [];
  requireLease(state.lease, cmd.runner);
  if (state.offset < (state.batchUpdate?.conversationIds.length ?? 0)) {
    throw new DomainError('invalid', 'offset', 'the batch update has steps left');
  }
  return completeBatchUpdate(state, {
    processed: state.processed,
    notParticipating: state.notParticipating,
    at: cmd.at,
  });
}

/**
 * A job done within its request (a user's erasure): queued and completed in one append, so
 * that no job runner ever finds it unfinished.
 */
export function recordFinishedJob(
  state: ProgressState | null,
  cmd: { progressId: string; userId: string; tag: string; message: string; at: string },
): (ProgressQueued | ProgressCompleted)[] {
  const queued = queueProgress(state, {
    progressId: cmd.progressId,
    userId: cmd.userId,
    tag: cmd.tag,
    createdAt: cmd.at,
  });
  return [
    ...queued,
    {
      type: 'ProgressCompleted',
      data: {
        progressId: cmd.progressId,
        workflowState: 'completed',
        message: cmd.message,
        at: cmd.at,
      },
    },
  ];
}
