import {
  addChannel,
  bounceChannel,
  createOutboundMessage,
  evolveChannel,
  type OutboundMessageCreated,
} from '@missive/domain';
import { EventValidator } from './eventValidator';

const validator = new EventValidator();
const T = '2026-11-23T10:00:00.000Z';

const outbound: OutboundMessageCreated['data'] = {
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
  subject: null,
  body: 'Hi',
  htmlBody: null,
  media: [],
  conversationId: '5',
  operationId: null,
  tags: {},
  scheduledFor: null,
  cause: null,
  suppressed: false,
  createdAt: T,
};

describe('EventValidator', () => {
  it('accepts what the domain deciders emit', () => {
    const added = addChannel(null, {
      channelId: '9',
      requestId: '9',
      userId: '7',
      type: 'email',
      address: 'ada@example.com',
      position: 1,
      existingCount: 0,
      skipConfirmation: false,
      confirmationNonce: 'n',
      createdAt: T,
    });
    const state = added.reduce(evolveChannel, null);
    const events = [
      ...added,
      ...bounceChannel(state, { bouncedAt: T }),
      ...createOutboundMessage(null, outbound),
    ];
    expect(events.length).toBeGreaterThan(added.length);
    for (const event of events) {
      expect({ type: event.type, ...validator.validate(event) }).toEqual({
        type: event.type,
        valid: true,
        errors: [],
      });
    }
  });

  it('names the field that breaks the schema', () => {
    const result = validator.validate({
      type: 'OutboundMessageCreated',
      data: { ...outbound, suppressed: 'no', to: undefined },
    });
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/suppressed must be boolean'),
        expect.stringContaining("must have required property 'to'"),
      ]),
    );
  });

  it('refuses unknown fields and unknown types', () => {
    expect(
      validator.validate({
        type: 'ChannelRemoved',
        data: { channelId: '1', userId: '2', removedAt: T, x: 1 },
      }).valid,
    ).toBe(false);
    expect(validator.validate({ type: 'SomethingHappened', data: {} })).toEqual({
      valid: false,
      errors: ['SomethingHappened is not in the event catalogue'],
    });
  });
});
