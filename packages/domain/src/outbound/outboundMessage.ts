import { DomainError } from '../shared/domainError';
import type {
  DeliveryError,
  OutboundAttemptFailed,
  OutboundDispatchStarted,
  OutboundEvent,
  OutboundMessageBounced,
  OutboundMessageCancelled,
  OutboundMessageCreated,
  OutboundMessageDelivered,
  OutboundMessageQueued,
  OutboundMessageSent,
  OutboundMessageUndelivered,
} from './outboundEvents';

/**
 * The life of an outbound message. Canvas's CommMessage states and the Comms statuses are both
 * read off this one machine (see commMessageWorkflowState and commsStatus):
 *
 *   scheduled -> staged -> sending -> sent -> delivered
 *                  ^          |        |  \-> undelivered
 *                  +- retry --+        +----> bounced
 *                             +-> failed | bounced
 *   scheduled | staged | sending -> cancelled
 */
export type OutboundState =
  | 'scheduled'
  | 'staged'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'bounced'
  | 'failed'
  | 'cancelled';

export interface OutboundAttempt {
  readonly attempt: number;
  readonly transport: string;
  readonly startedAt: string;
  /** Who made it (see OutboundDispatchStarted); null for attempts recorded before. */
  readonly dispatcher: string | null;
  readonly status: 'sending' | 'sent' | 'failed' | 'bounced';
  readonly error: DeliveryError | null;
}

export interface OutboundMessageState {
  readonly message: OutboundMessageCreated['data'];
  readonly state: OutboundState;
  readonly attempts: readonly OutboundAttempt[];
  /** When a staged message may be dispatched (null: now). */
  readonly dispatchAt: string | null;
  readonly providerMessageId: string | null;
  readonly sentAt: string | null;
  readonly updatedAt: string;
}

/** Canvas's default: a failed dispatch is retried, five tries in all. */
export const MAX_DELIVERY_ATTEMPTS = 5;

function withLastAttempt(
  attempts: readonly OutboundAttempt[],
  change: Partial<OutboundAttempt>,
): OutboundAttempt[] {
  const copy = attempts.slice();
  const last = copy[copy.length - 1];
  // Stryker disable next-line ConditionalExpression: sent, failed and bounced-while-sending all follow a dispatch, so there is always a last attempt
  if (last) copy[copy.length - 1] = { ...last, ...change };
  return copy;
}

export function evolveOutboundMessage(
  current: OutboundMessageState | null,
  event: OutboundEvent,
): OutboundMessageState | null {
  if (event.type === 'OutboundMessageCreated') {
    const data = event.data;
    return {
      message: data,
      state: data.suppressed ? 'bounced' : data.scheduledFor ? 'scheduled' : 'staged',
      attempts: [],
      dispatchAt: data.scheduledFor,
      providerMessageId: null,
      sentAt: null,
      updatedAt: data.createdAt,
    };
  }
  if (!current) return current;
  switch (event.type) {
    case 'OutboundMessageQueued':
      return { ...current, state: 'staged', dispatchAt: null, updatedAt: event.data.queuedAt };
    case 'OutboundDispatchStarted':
      return {
        ...current,
        state: 'sending',
        attempts: [
          ...current.attempts,
          {
            attempt: event.data.attempt,
            transport: event.data.transport,
            startedAt: event.data.startedAt,
            dispatcher: event.data.dispatcher ?? null,
            status: 'sending',
            error: null,
          },
        ],
        updatedAt: event.data.startedAt,
      };
    case 'OutboundMessageSent':
      return {
        ...current,
        state: 'sent',
        attempts: withLastAttempt(current.attempts, { status: 'sent' }),
        providerMessageId: event.data.providerMessageId,
        sentAt: event.data.sentAt,
        updatedAt: event.data.sentAt,
      };
    case 'OutboundAttemptFailed':
      return {
        ...current,
        state: event.data.retryAt ? 'staged' : 'failed',
        attempts: withLastAttempt(current.attempts, { status: 'failed', error: event.data.error }),
        dispatchAt: event.data.retryAt,
        updatedAt: event.data.failedAt,
      };
    case 'OutboundMessageBounced':
      return {
        ...current,
        state: 'bounced',
        attempts:
          current.state === 'sending'
            ? withLastAttempt(current.attempts, {
                status: 'bounced',
                error: { code: 'bounced', message: event.data.reason },
              })
            : current.attempts,
        updatedAt: event.data.bouncedAt,
      };
    case 'OutboundMessageDelivered':
      return { ...current, state: 'delivered', updatedAt: event.data.deliveredAt };
    case 'OutboundMessageUndelivered':
      return { ...current, state: 'undelivered', updatedAt: event.data.at };
    case 'OutboundMessageCancelled':
      return { ...current, state: 'cancelled', updatedAt: event.data.cancelledAt };
  }
}

function existing(state: OutboundMessageState | null): OutboundMessageState {
  if (!state) throw new DomainError('not_found', 'message', 'The resource was not found.');
  return state;
}

/** Creating a message that exists decides nothing: a replayed cause creates nothing twice. */
export function createOutboundMessage(
  state: OutboundMessageState | null,
  data: OutboundMessageCreated['data'],
): OutboundMessageCreated[] {
  if (state) return [];
  if (!data.to.trim()) throw new DomainError('invalid', 'to', 'blank');
  return [{ type: 'OutboundMessageCreated', data }];
}

/** The scheduler's call at `scheduledFor`; anything but a scheduled message is left alone. */
export function queueScheduledMessage(
  state: OutboundMessageState | null,
  cmd: { queuedAt: string },
): OutboundMessageQueued[] {
  const current = existing(state);
  if (current.state !== 'scheduled') return [];
  return [
    {
      type: 'OutboundMessageQueued',
      data: { outboundId: current.message.outboundId, queuedAt: cmd.queuedAt },
    },
  ];
}

/** Claims the next attempt. Only a staged message can be dispatched; the rest decide nothing. */
export function startDispatch(
  state: OutboundMessageState | null,
  cmd: { transport: string; startedAt: string; dispatcher?: string },
): OutboundDispatchStarted[] {
  const current = existing(state);
  if (current.state !== 'staged') return [];
  return [
    {
      type: 'OutboundDispatchStarted',
      data: {
        outboundId: current.message.outboundId,
        attempt: current.attempts.length + 1,
        transport: cmd.transport,
        startedAt: cmd.startedAt,
        ...(cmd.dispatcher === undefined ? {} : { dispatcher: cmd.dispatcher }),
      },
    },
  ];
}

function inFlight(state: OutboundMessageState | null): OutboundMessageState | null {
  const current = existing(state);
  return current.state === 'sending' ? current : null;
}

export function recordSent(
  state: OutboundMessageState | null,
  cmd: { providerMessageId: string | null; sentAt: string },
): OutboundMessageSent[] {
  const current = inFlight(state);
  if (!current) return [];
  const attempt = current.attempts[current.attempts.length - 1]!;
  return [
    {
      type: 'OutboundMessageSent',
      data: {
        outboundId: current.message.outboundId,
        attempt: attempt.attempt,
        transport: attempt.transport,
        providerMessageId: cmd.providerMessageId,
        sentAt: cmd.sentAt,
      },
    },
  ];
}

/**
 * A transient failure. The caller's backoff gives `retryAt`; once MAX_DELIVERY_ATTEMPTS have
 * been made the message fails for good regardless.
 */
export function recordAttemptFailed(
  state: OutboundMessageState | null,
  cmd: { error: DeliveryError; retryAt: string | null; failedAt: string },
): OutboundAttemptFailed[] {
  const current = inFlight(state);
  if (!current) return [];
  const attempt = current.attempts.length;
  return [
    {
      type: 'OutboundAttemptFailed',
      data: {
        outboundId: current.message.outboundId,
        attempt,
        error: cmd.error,
        retryAt: attempt >= MAX_DELIVERY_ATTEMPTS ? null : cmd.retryAt,
        failedAt: cmd.failedAt,
      },
    },
  ];
}

/**
 * A permanent bounce, during the attempt or reported later by a provider. Reporting it twice
 * decides nothing, so a webhook retried by its provider counts once.
 */
export function recordBounce(
  state: OutboundMessageState | null,
  cmd: { reason: string; bouncedAt: string },
): OutboundMessageBounced[] {
  const current = existing(state);
  if (!['sending', 'sent', 'delivered'].includes(current.state)) return [];
  return [
    {
      type: 'OutboundMessageBounced',
      data: {
        outboundId: current.message.outboundId,
        reason: cmd.reason,
        bouncedAt: cmd.bouncedAt,
      },
    },
  ];
}

export function recordDelivered(
  state: OutboundMessageState | null,
  cmd: { deliveredAt: string },
): OutboundMessageDelivered[] {
  const current = existing(state);
  if (current.state !== 'sent' && current.state !== 'sending') return [];
  return [
    {
      type: 'OutboundMessageDelivered',
      data: { outboundId: current.message.outboundId, deliveredAt: cmd.deliveredAt },
    },
  ];
}

export function recordUndelivered(
  state: OutboundMessageState | null,
  cmd: { error: DeliveryError; at: string },
): OutboundMessageUndelivered[] {
  const current = existing(state);
  if (current.state !== 'sent' && current.state !== 'sending') return [];
  return [
    {
      type: 'OutboundMessageUndelivered',
      data: { outboundId: current.message.outboundId, error: cmd.error, at: cmd.at },
    },
  ];
}

export function cancelOutboundMessage(
  state: OutboundMessageState | null,
  cmd: { cancelledAt: string },
): OutboundMessageCancelled[] {
  const current = existing(state);
  if (!['scheduled', 'staged', 'sending'].includes(current.state)) return [];
  return [
    {
      type: 'OutboundMessageCancelled',
      data: { outboundId: current.message.outboundId, cancelledAt: cmd.cancelledAt },
    },
  ];
}
