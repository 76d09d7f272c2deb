import { derivedUlid } from '../outbound/outboundIds';
import {
  claimAttempt,
  leaseUntil,
  requireLease,
  type JobClaim,
  type JobLease,
  leaseOf,
} from '../jobs/jobLease';
import { DomainError } from '../shared/domainError';
import type {
  MessageOperationClaimed,
  MessageOperationCreated,
  MessageOperationFanOut,
  MessageOperationEvent,
  MessageOperationProcessed,
} from './messageOperationEvents';

/** The Comms API: one send request reaches at most this many recipients. */
export const MAX_COMMS_RECIPIENTS = 10_000;
/** The Comms API: `schedule.sendAt` at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;

export interface MessageOperationState {
  readonly operationId: string;
  readonly messages: number;
  readonly processed: boolean;
  readonly fanOut: MessageOperationFanOut | null;
  readonly lease: JobLease | null;
}

export function evolveMessageOperation(
  state: MessageOperationState | null,
  event: MessageOperationEvent,
): MessageOperationState | null {
  switch (event.type) {
    case 'MessageOperationCreated':
      return {
        operationId: event.data.operationId,
        messages: event.data.messages,
        processed: false,
        fanOut: event.data.fanOut ?? null,
        lease: null,
      };
    case 'MessageOperationClaimed':
      return (
        state && {
          ...state,
          lease: leaseOf(event.data),
        }
      );
    case 'MessageOperationProcessed':
      return state && { ...state, processed: true };
  }
}

/**
 * The id of the `index`-th message of an operation: the operation's creation time keeps ids in
 * creation order, and the rest is a hash of the operation and the index, so a repeated fan-out
 * names the same messages.
 */
export function operationMessageId(operationId: string, index: number, createdAt: Date): string {
  return derivedUlid(operationId, `message:${index}`, createdAt);
}

/**
 * `schedule.sendAt`: strictly in the future and at most 30 days ahead of `now`. Returns the
 * normalized time, or throws `invalid` on `schedule.sendAt`.
 */
export function checkSendAt(sendAt: string, now: Date): string {
  const at = Date.parse(sendAt);
  if (Number.isNaN(at)) {
    throw new DomainError('invalid', 'schedule.sendAt', 'sendAt must be an RFC 3339 date-time');
  }
  if (at <= now.getTime()) {
    throw new DomainError('invalid', 'schedule.sendAt', 'sendAt must be in the future');
  }
  if (at - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    throw new DomainError('invalid', 'schedule.sendAt', 'sendAt must be at most 30 days ahead');
  }
  return new Date(at).toISOString();
}

export function createMessageOperation(
  state: MessageOperationState | null,
  data: MessageOperationCreated['data'],
): MessageOperationCreated[] {
  if (state) throw new DomainError('conflict', 'operationId', 'operation already exists');
  if (data.recipients < 1 || data.recipients > MAX_COMMS_RECIPIENTS) {
    throw new DomainError(
      'invalid',
      'to',
      `between 1 and ${MAX_COMMS_RECIPIENTS} recipients are required`,
    );
  }
  if (data.messages + data.unaddressable !== data.recipients || data.messages < 0) {
    throw new DomainError('invalid', 'to', 'every recipient is a message or unaddressable');
  }
  const fanOut = data.fanOut;
  if (fanOut) {
    // A fan-out in parts lists its messages there; they are counted when joined.
    const listed = fanOut.parts === undefined ? data.messages : 0;
    if (fanOut.messages.length !== listed || (fanOut.parts !== undefined && fanOut.parts < 1)) {
      throw new DomainError('invalid', 'to', 'the fan-out lists every message');
    }
  }
  return [{ type: 'MessageOperationCreated', data }];
}

/**
 * A runner takes the fan-out (or renews its lease). There is no giving up: every step is a
 * `no_stream` append of a message whose id is fixed, so a retry can only finish the work.
 */
export function claimMessageOperation(
  state: MessageOperationState | null,
  claim: JobClaim,
): MessageOperationClaimed[] {
  if (!state) throw new DomainError('not_found', 'operation', 'The resource was not found.');
  if (state.processed) return [];
  return [
    {
      type: 'MessageOperationClaimed',
      data: {
        operationId: state.operationId,
        runner: claim.runner,
        attempt: claimAttempt(state.lease, claim),
        leaseUntil: leaseUntil(claim),
        at: claim.now.toISOString(),
      },
    },
  ];
}

/**
 * Marks the fan-out finished; a repeated fan-out decides nothing. Once a runner has claimed the
 * operation, only the lease holder may close it.
 */
export function markMessageOperationProcessed(
  state: MessageOperationState | null,
  cmd: { processedAt: string; runner?: string },
): MessageOperationProcessed[] {
  if (!state) throw new DomainError('not_found', 'operation', 'The resource was not found.');
  if (state.processed) return [];
  // Stryker disable next-line StringLiteral: a lease holder always has a name, so a missing runner is refused whatever it defaults to
  if (state.lease) requireLease(state.lease, cmd.runner ?? '');
  return [
    {
      type: 'MessageOperationProcessed',
      data: {
        operationId: state.operationId,
        messages: state.messages,
        processedAt: cmd.processedAt,
      },
    },
  ];
}
