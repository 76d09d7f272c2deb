import { spec } from '../testing/givenWhenThen';
import type { OutboundEvent, OutboundMessageCreated } from './outboundEvents';
import {
  MAX_DELIVERY_ATTEMPTS,
  cancelOutboundMessage,
  createOutboundMessage,
  evolveOutboundMessage,
  queueScheduledMessage,
  recordAttemptFailed,
  recordBounce,
  recordDelivered,
  recordSent,
  recordUndelivered,
  startDispatch,
  type OutboundMessageState,
} from './outboundMessage';
import { commMessageWorkflowState, commsStatus, outboundStateAfter } from './outboundStatus';

const outbound = spec<OutboundMessageState, OutboundEvent>(evolveOutboundMessage);
const T = '2026-11-23T10:00:00.000Z';

function created(overrides: Partial<OutboundMessageCreated['data']> = {}): OutboundMessageCreated {
  return {
    type: 'OutboundMessageCreated',
    data: {
      outboundId: '01jabcdefghjkmnpqrstvwxyz0',
      messageId: '42',
      kind: 'conversation_message',
      userId: '7',
      channelId: '9',
      channel: 'email',
      to: 'ada@example.com',
      from: 'notifications@missive.test',
      fromName: 'Missive',
      replyTo: null,
      subject: 'Hello',
      body: 'Hi',
      htmlBody: null,
      media: [],
      conversationId: '5',
      operationId: null,
      tags: {},
      scheduledFor: null,
      cause: { eventId: 'e1', streamId: 'conversation-5', type: 'MessageAdded' },
      suppressed: false,
      createdAt: T,
      ...overrides,
    },
  };
}
const id = created().data.outboundId;
const started = (attempt: number): OutboundEvent => ({
  type: 'OutboundDispatchStarted',
  data: { outboundId: id, attempt, transport: 'smtp', startedAt: T },
});
const failed = (attempt: number, retryAt: string | null): OutboundEvent => ({
  type: 'OutboundAttemptFailed',
  data: {
    outboundId: id,
    attempt,
    error: { code: '421', message: 'try later' },
    retryAt,
    failedAt: T,
  },
});
const sent: OutboundEvent = {
  type: 'OutboundMessageSent',
  data: { outboundId: id, attempt: 1, transport: 'smtp', providerMessageId: '<x@y>', sentAt: T },
};

const bounced: OutboundEvent = {
  type: 'OutboundMessageBounced',
  data: { outboundId: id, reason: '550 no such user', bouncedAt: T },
};
const delivered: OutboundEvent = {
  type: 'OutboundMessageDelivered',
  data: { outboundId: id, deliveredAt: T },
};
const fold = (...events: OutboundEvent[]) =>
  events.reduce<OutboundMessageState | null>(evolveOutboundMessage, null);

describe('outbound message', () => {
  it('is created once: a replayed cause decides nothing', () => {
    outbound
      .given()
      .when((s) => createOutboundMessage(s, created().data))
      .then([created()]);
    outbound
      .given(created())
      .when((s) => createOutboundMessage(s, created().data))
      .then([]);
  });

  it('refuses a blank address', () => {
    outbound
      .given()
      .when((s) => createOutboundMessage(s, created({ to: ' ' }).data))
      .thenThrows({ kind: 'invalid', attribute: 'to', message: 'blank' });
  });

  it('dispatches a staged message as attempt 1, and only once', () => {
    outbound
      .given(created())
      .when((s) => startDispatch(s, { transport: 'smtp', startedAt: T }))
      .then([started(1)]);
    outbound
      .given(created(), started(1))
      .when((s) => startDispatch(s, { transport: 'smtp', startedAt: T }))
      .then([]);
  });

  it('names the dispatcher that made the attempt, when there is one', () => {
    const byNode = {
      type: 'OutboundDispatchStarted',
      data: { outboundId: id, attempt: 1, transport: 'smtp', startedAt: T, dispatcher: 'node-3' },
    } as const;
    outbound
      .given(created())
      .when((s) => startDispatch(s, { transport: 'smtp', startedAt: T, dispatcher: 'node-3' }))
      .then([byNode]);
    const attempt = { attempt: 1, transport: 'smtp', startedAt: T, status: 'sending', error: null };
    expect(fold(created(), byNode)!.attempts).toEqual([{ ...attempt, dispatcher: 'node-3' }]);
    expect(fold(created(), started(1))!.attempts).toEqual([{ ...attempt, dispatcher: null }]);
  });

  it('never dispatches a suppressed (bouncing channel) message', () => {
    outbound
      .given(created({ suppressed: true }))
      .when((s) => startDispatch(s, { transport: 'smtp', startedAt: T }))
      .then([]);
  });

  it('holds a scheduled message until it is queued', () => {
    const scheduled = created({ scheduledFor: '2026-11-24T00:00:00.000Z' });
    outbound
      .given(scheduled)
      .when((s) => startDispatch(s, { transport: 'sandbox', startedAt: T }))
      .then([]);
    outbound
      .given(scheduled)
      .when((s) => queueScheduledMessage(s, { queuedAt: T }))
      .then([{ type: 'OutboundMessageQueued', data: { outboundId: id, queuedAt: T } }]);
    outbound
      .given(created())
      .when((s) => queueScheduledMessage(s, { queuedAt: T }))
      .then([]);
    outbound
      .given(scheduled, { type: 'OutboundMessageQueued', data: { outboundId: id, queuedAt: T } })
      .when((s) => startDispatch(s, { transport: 'smtp', startedAt: T }))
      .then([started(1)]);
  });

  it('records a send only for the attempt in flight', () => {
    outbound
      .given(created(), started(1))
      .when((s) => recordSent(s, { providerMessageId: '<x@y>', sentAt: T }))
      .then([sent]);
    outbound
      .given(created(), started(1), sent)
      .when((s) => recordSent(s, { providerMessageId: '<x@y>', sentAt: T }))
      .then([]);
  });

  it('goes back to staged after a transient failure, and fails after the last attempt', () => {
    const retryAt = '2026-11-23T10:05:00.000Z';
    outbound
      .given(created(), started(1))
      .when((s) =>
        recordAttemptFailed(s, {
          error: { code: '421', message: 'try later' },
          retryAt,
          failedAt: T,
        }),
      )
      .then([failed(1, retryAt)]);
    const history: OutboundEvent[] = [created()];
    for (let n = 1; n < MAX_DELIVERY_ATTEMPTS; n++) history.push(started(n), failed(n, retryAt));
    history.push(started(MAX_DELIVERY_ATTEMPTS));
    outbound
      .given(...history)
      .when((s) =>
        recordAttemptFailed(s, {
          error: { code: '421', message: 'try later' },
          retryAt,
          failedAt: T,
        }),
      )
      .then([failed(MAX_DELIVERY_ATTEMPTS, null)]);
  });

  it('counts a bounce once, during the attempt or after the send or delivery', () => {
    outbound
      .given(created(), started(1))
      .when((s) => recordBounce(s, { reason: '550 no such user', bouncedAt: T }))
      .then([bounced]);
    outbound
      .given(created(), started(1), sent)
      .when((s) => recordBounce(s, { reason: '550 no such user', bouncedAt: T }))
      .then([bounced]);
    outbound
      .given(created(), started(1), sent, delivered)
      .when((s) => recordBounce(s, { reason: '550 no such user', bouncedAt: T }))
      .then([bounced]);
    outbound
      .given(created(), started(1), bounced)
      .when((s) => recordBounce(s, { reason: 'again', bouncedAt: T }))
      .then([]);
    outbound
      .given(created())
      .when((s) => recordBounce(s, { reason: 'never sent', bouncedAt: T }))
      .then([]);
  });

  it('marks the attempt in flight bounced, and leaves a finished attempt as it was', () => {
    expect(fold(created(), started(1), bounced)!.attempts).toEqual([
      {
        attempt: 1,
        transport: 'smtp',
        startedAt: T,
        dispatcher: null,
        status: 'bounced',
        error: { code: 'bounced', message: '550 no such user' },
      },
    ]);
    expect(fold(created(), started(1), sent, bounced)!.attempts).toEqual([
      {
        attempt: 1,
        transport: 'smtp',
        startedAt: T,
        dispatcher: null,
        status: 'sent',
        error: null,
      },
    ]);
  });

  it('records delivery after the send (or a receipt ahead of it), once', () => {
    outbound
      .given(created(), started(1))
      .when((s) => recordDelivered(s, { deliveredAt: T }))
      .then([delivered]);
    outbound
      .given(created(), started(1), sent)
      .when((s) => recordDelivered(s, { deliveredAt: T }))
      .then([delivered]);
    outbound
      .given(created(), started(1), sent, delivered)
      .when((s) => recordDelivered(s, { deliveredAt: T }))
      .then([]);
  });

  it('records a message undelivered after the send (or a receipt ahead of it), once', () => {
    const error = { code: '30003', message: 'Unreachable destination handset' };
    const undelivered: OutboundEvent = {
      type: 'OutboundMessageUndelivered',
      data: { outboundId: id, error, at: T },
    };
    for (const history of [
      [created(), started(1), sent],
      [created(), started(1)],
    ]) {
      outbound
        .given(...history)
        .when((s) => recordUndelivered(s, { error, at: T }))
        .then([undelivered]);
    }
    for (const history of [[created()], [created(), started(1), sent, undelivered]]) {
      outbound
        .given(...history)
        .when((s) => recordUndelivered(s, { error, at: T }))
        .then([]);
    }
  });

  it('cancels what has not been sent', () => {
    const cancelled: OutboundEvent = {
      type: 'OutboundMessageCancelled',
      data: { outboundId: id, cancelledAt: T },
    };
    outbound
      .given(created())
      .when((s) => cancelOutboundMessage(s, { cancelledAt: T }))
      .then([cancelled]);
    outbound
      .given(created({ scheduledFor: '2026-11-24T00:00:00.000Z' }))
      .when((s) => cancelOutboundMessage(s, { cancelledAt: T }))
      .then([cancelled]);
    outbound
      .given(created(), started(1))
      .when((s) => cancelOutboundMessage(s, { cancelledAt: T }))
      .then([cancelled]);
    outbound
      .given(created(), started(1), sent)
      .when((s) => cancelOutboundMessage(s, { cancelledAt: T }))
      .then([]);
  });

  it('answers for a message that does not exist with not_found', () => {
    outbound
      .given()
      .when((s) => recordDelivered(s, { deliveredAt: T }))
      .thenThrows({
        kind: 'not_found',
        attribute: 'message',
        message: 'The resource was not found.',
      });
  });

  it('maps every state to both dialects, and each event to the state the fold reaches', () => {
    const history: OutboundEvent[] = [created(), started(1), failed(1, T), started(2), sent];
    let state: OutboundMessageState | null = null;
    for (const event of history) {
      state = evolveOutboundMessage(state, event);
      expect(outboundStateAfter(event)).toBe(state!.state);
    }
    expect(commMessageWorkflowState(state!.state)).toBe('sent');
    expect(commsStatus(state!.state)).toBe('SENT');
    expect(commMessageWorkflowState('failed')).toBe('transmission_error');
    expect(commsStatus('scheduled')).toBe('SCHEDULED');
    expect(state!.attempts.map((a) => a.status)).toEqual(['failed', 'sent']);
  });
});
