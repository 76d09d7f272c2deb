import type { MessageOperationEvent, OutboundEvent, OutboundMessageCreated } from '@missive/domain';
import type { EventData } from '@missive/event-store';
import { randomInt, randomUUID } from 'node:crypto';

/** A Comms outbound message as the send handler creates it; override what a test varies. */
export function commsMessageCreated(
  overrides: Partial<OutboundMessageCreated['data']> & { outboundId: string },
): OutboundMessageCreated {
  return {
    type: 'OutboundMessageCreated',
    data: {
      // Unique, as the API's IdGenerator makes them: the CommMessages view keys on it.
      messageId: String(randomInt(1, 2 ** 47)),
      kind: 'comms',
      userId: null,
      channelId: null,
      channel: 'phone',
      to: '+14155550100',
      from: '+15005550006',
      fromName: null,
      replyTo: null,
      subject: null,
      body: 'Hello',
      htmlBody: null,
      media: [],
      conversationId: null,
      operationId: null,
      tags: {},
      scheduledFor: null,
      cause: null,
      suppressed: false,
      createdAt: new Date().toISOString(),
      ...overrides,
    },
  };
}

export function operationCreated(
  operationId: string,
  overrides: Partial<
    Extract<MessageOperationEvent, { type: 'MessageOperationCreated' }>['data']
  > = {},
): MessageOperationEvent {
  return {
    type: 'MessageOperationCreated',
    data: {
      operationId,
      recipients: 1,
      messages: 1,
      unaddressable: 0,
      scheduledFor: null,
      tags: {},
      createdAt: new Date().toISOString(),
      ...overrides,
    },
  };
}

/** The events a transport's outcome leads to, after the message's creation. */
export function deliveryEvents(
  outboundId: string,
  outcome: 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'canceled',
  at: string,
  attempt = 1,
): OutboundEvent[] {
  if (outcome === 'queued') return [];
  if (outcome === 'canceled') {
    return [{ type: 'OutboundMessageCancelled', data: { outboundId, cancelledAt: at } }];
  }
  const events: OutboundEvent[] = [
    {
      type: 'OutboundDispatchStarted',
      data: { outboundId, attempt, transport: 'comms-sandbox', startedAt: at },
    },
  ];
  if (outcome === 'sending') return events;
  if (outcome === 'failed') {
    events.push({
      type: 'OutboundAttemptFailed',
      data: {
        outboundId,
        attempt,
        error: { code: '21211', message: 'Invalid To number' },
        retryAt: null,
        failedAt: at,
      },
    });
    return events;
  }
  events.push({
    type: 'OutboundMessageSent',
    data: {
      outboundId,
      attempt,
      transport: 'comms-sandbox',
      providerMessageId: `SM${outboundId}`,
      sentAt: at,
    },
  });
  if (outcome === 'delivered') {
    events.push({ type: 'OutboundMessageDelivered', data: { outboundId, deliveredAt: at } });
  }
  if (outcome === 'undelivered') {
    events.push({
      type: 'OutboundMessageUndelivered',
      data: { outboundId, error: { code: '30003', message: 'Unreachable handset' }, at },
    });
  }
  return events;
}

export function asEventData(events: ReadonlyArray<{ type: string; data: unknown }>): EventData[] {
  return events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data }));
}
