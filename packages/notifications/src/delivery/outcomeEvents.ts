import {
  type OutboundEvent,
  type OutboundMessageState,
  evolveOutboundMessage,
  recordAttemptFailed,
  recordBounce,
  recordDelivered,
  recordSent,
  recordUndelivered,
} from '@missive/domain';
import type { SendResult } from '../transports/transport';
import { retryDelayMs } from './retryDelay';

/**
 * The events that record an attempt's result on the message as it stands. Pure, so the
 * dispatcher can decide again on a reloaded stream when something (a cancel, a provider's
 * webhook) was written during the attempt.
 */
export function outcomeEvents(
  state: OutboundMessageState | null,
  result: SendResult,
  at: Date,
  retryBaseMs: number,
): OutboundEvent[] {
  const now = at.toISOString();
  switch (result.outcome) {
    case 'sent': {
      const sent = recordSent(state, { providerMessageId: result.providerMessageId, sentAt: now });
      const receipt = result.receipt;
      if (sent.length === 0 || !receipt) return sent;
      const after = sent.reduce(evolveOutboundMessage, state);
      const final =
        receipt.status === 'delivered'
          ? recordDelivered(after, { deliveredAt: now })
          : recordUndelivered(after, { error: receipt.error, at: now });
      return [...sent, ...final];
    }
    case 'bounced':
      return recordBounce(state, { reason: result.reason, bouncedAt: now });
    case 'failed': {
      const attempt = state?.attempts.length ?? 1;
      const retryAt = result.transient
        ? new Date(at.getTime() + retryDelayMs(attempt, retryBaseMs)).toISOString()
        : null;
      return recordAttemptFailed(state, { error: result.error, retryAt, failedAt: now });
    }
  }
}
