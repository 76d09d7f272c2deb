import type { OutboundEvent, OutboundMessageCreated } from './outboundEvents';
import { evolveOutboundMessage, type OutboundMessageState } from './outboundMessage';
import { commMessageWorkflowState, commsStatus, outboundStateAfter } from './outboundStatus';

const T = '2026-11-23T10:00:00.000Z';
const outboundId = '01jabcdefghjkmnpqrstvwxyz0';

function created(overrides: Partial<OutboundMessageCreated['data']> = {}): OutboundEvent {
  return {
    type: 'OutboundMessageCreated',
    data: {
      outboundId,
      messageId: '42',
      kind: 'conversation_message',
      userId: '7',
      channelId: '9',
      channel: 'sms',
      to: '+15550000001',
      from: '+15550000000',
      fromName: null,
      replyTo: null,
      subject: null,
      body: 'Hi',
      htmlBody: null,
      media: [],
      conversationId: null,
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

const error = { code: '30003', message: 'Unreachable destination handset' };
const started = (attempt: number): OutboundEvent => ({
  type: 'OutboundDispatchStarted',
  data: { outboundId, attempt, transport: 'twilio', startedAt: T },
});
const failed = (retryAt: string | null): OutboundEvent => ({
  type: 'OutboundAttemptFailed',
  data: { outboundId, attempt: 1, error, retryAt, failedAt: T },
});
const queued: OutboundEvent = { type: 'OutboundMessageQueued', data: { outboundId, queuedAt: T } };
const sent: OutboundEvent = {
  type: 'OutboundMessageSent',
  data: { outboundId, attempt: 1, transport: 'twilio', providerMessageId: 'SM1', sentAt: T },
};

describe('outbound status', () => {
  it('names every state in both dialects', () => {
    const states = [
      ['scheduled', 'created', 'SCHEDULED'],
      ['staged', 'staged', 'QUEUED'],
      ['sending', 'sending', 'QUEUED'],
      ['sent', 'sent', 'SENT'],
      ['delivered', 'sent', 'DELIVERED'],
      ['undelivered', 'bounced', 'UNDELIVERED'],
      ['bounced', 'bounced', 'UNDELIVERED'],
      ['failed', 'transmission_error', 'FAILED'],
      ['cancelled', 'cancelled', 'CANCELED'],
    ] as const;
    for (const [state, canvas, comms] of states) {
      expect([commMessageWorkflowState(state), commsStatus(state)]).toEqual([canvas, comms]);
    }
  });

  it('gives, for every event, the state the fold reaches with it', () => {
    const histories: OutboundEvent[][] = [
      [
        created({ scheduledFor: '2026-11-24T00:00:00.000Z' }),
        queued,
        started(1),
        failed(T),
        started(2),
        sent,
        { type: 'OutboundMessageDelivered', data: { outboundId, deliveredAt: T } },
      ],
      [created({ suppressed: true })],
      [created(), started(1), failed(null)],
      [
        created(),
        started(1),
        { type: 'OutboundMessageBounced', data: { outboundId, reason: '550', bouncedAt: T } },
      ],
      [
        created(),
        started(1),
        sent,
        { type: 'OutboundMessageUndelivered', data: { outboundId, error, at: T } },
      ],
      [created(), { type: 'OutboundMessageCancelled', data: { outboundId, cancelledAt: T } }],
    ];
    const seen = new Set<string>();
    for (const history of histories) {
      let state: OutboundMessageState | null = null;
      for (const event of history) {
        state = evolveOutboundMessage(state, event);
        expect([event.type, outboundStateAfter(event)]).toEqual([event.type, state!.state]);
        seen.add(`${event.type} -> ${state!.state}`);
      }
    }
    // Every event type, and each of the states a creation or a failure can lead to.
    expect([...seen].sort()).toEqual([
      'OutboundAttemptFailed -> failed',
      'OutboundAttemptFailed -> staged',
      'OutboundDispatchStarted -> sending',
      'OutboundMessageBounced -> bounced',
      'OutboundMessageCancelled -> cancelled',
      'OutboundMessageCreated -> bounced',
      'OutboundMessageCreated -> scheduled',
      'OutboundMessageCreated -> staged',
      'OutboundMessageDelivered -> delivered',
      'OutboundMessageQueued -> staged',
      'OutboundMessageSent -> sent',
      'OutboundMessageUndelivered -> undelivered',
    ]);
  });

  it('has no state for an event that is not an outbound one', () => {
    expect(outboundStateAfter({ type: 'MessageAdded', data: {} })).toBeNull();
  });
});
