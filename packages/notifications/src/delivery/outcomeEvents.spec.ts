import {
  MAX_DELIVERY_ATTEMPTS,
  evolveOutboundMessage,
  type OutboundEvent,
  type OutboundMessageState,
} from '@missive/domain';
import { outboundCreated } from '../testing/notifierEvents';
import { outcomeEvents } from './outcomeEvents';
import { retryDelayMs } from './retryDelay';

const at = new Date('2026-03-01T10:00:00.000Z');

function sendingAfter(attempts: number): OutboundMessageState {
  const events: OutboundEvent[] = [outboundCreated({ outboundId: 'm1' })];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    events.push({
      type: 'OutboundDispatchStarted',
      data: { outboundId: 'm1', attempt, transport: 'smtp', startedAt: at.toISOString() },
    });
    if (attempt < attempts) {
      events.push({
        type: 'OutboundAttemptFailed',
        data: {
          outboundId: 'm1',
          attempt,
          error: { code: 'x', message: 'x' },
          retryAt: at.toISOString(),
          failedAt: at.toISOString(),
        },
      });
    }
  }
  return events.reduce<OutboundMessageState | null>(evolveOutboundMessage, null)!;
}

describe('outcomeEvents', () => {
  it('records a send with its receipt', () => {
    expect(
      outcomeEvents(
        sendingAfter(1),
        { outcome: 'sent', providerMessageId: 'p1', receipt: { status: 'delivered' } },
        at,
        60_000,
      ).map((e) => e.type),
    ).toEqual(['OutboundMessageSent', 'OutboundMessageDelivered']);
    expect(
      outcomeEvents(
        sendingAfter(1),
        {
          outcome: 'sent',
          providerMessageId: 'p1',
          receipt: { status: 'undelivered', error: { code: '30003', message: 'unreachable' } },
        },
        at,
        60_000,
      ).map((e) => e.type),
    ).toEqual(['OutboundMessageSent', 'OutboundMessageUndelivered']);
  });

  it('retries transient failures after base × 2^(attempt-1), never past the last attempt', () => {
    const failed = {
      outcome: 'failed',
      transient: true,
      error: { code: 'smtp_451', message: 'later' },
    } as const;
    const retryAt = (attempts: number) =>
      (
        outcomeEvents(sendingAfter(attempts), failed, at, 60_000)[0]!.data as {
          retryAt: string | null;
        }
      ).retryAt;
    expect(retryAt(1)).toBe('2026-03-01T10:01:00.000Z');
    expect(retryAt(2)).toBe('2026-03-01T10:02:00.000Z');
    expect(retryAt(4)).toBe('2026-03-01T10:08:00.000Z');
    expect(retryAt(MAX_DELIVERY_ATTEMPTS)).toBeNull();
    const permanent = outcomeEvents(sendingAfter(1), { ...failed, transient: false }, at, 60_000);
    expect(permanent[0]!.data).toMatchObject({ retryAt: null });
  });

  it('decides nothing for a message no longer in flight (cancelled meanwhile)', () => {
    const cancelled = evolveOutboundMessage(sendingAfter(1), {
      type: 'OutboundMessageCancelled',
      data: { outboundId: 'm1', cancelledAt: at.toISOString() },
    });
    expect(
      outcomeEvents(cancelled, { outcome: 'sent', providerMessageId: null }, at, 60_000),
    ).toEqual([]);
  });

  it('caps the backoff at a day', () => {
    expect(retryDelayMs(1, 1000)).toBe(1000);
    expect(retryDelayMs(3, 1000)).toBe(4000);
    expect(retryDelayMs(40, 60_000)).toBe(24 * 3600 * 1000);
  });
});
