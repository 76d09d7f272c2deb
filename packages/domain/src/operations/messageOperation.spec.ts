import { expectDomainError, spec } from '../testing/givenWhenThen';
import { ULID_PATTERN } from '../outbound/outboundIds';
import {
  checkSendAt,
  claimMessageOperation,
  createMessageOperation,
  evolveMessageOperation,
  markMessageOperationProcessed,
  operationMessageId,
  type MessageOperationState,
} from './messageOperation';
import type { MessageOperationCreated, MessageOperationEvent } from './messageOperationEvents';

const notFound = {
  kind: 'not_found',
  attribute: 'operation',
  message: 'The resource was not found.',
} as const;
const leasedElsewhere = {
  kind: 'conflict',
  attribute: 'job',
  message: 'the job is leased to another runner',
} as const;
const recipientCount = {
  kind: 'invalid',
  attribute: 'to',
  message: 'between 1 and 10000 recipients are required',
} as const;
const unaccounted = {
  kind: 'invalid',
  attribute: 'to',
  message: 'every recipient is a message or unaddressable',
} as const;
const unlisted = {
  kind: 'invalid',
  attribute: 'to',
  message: 'the fan-out lists every message',
} as const;
const operation = spec<MessageOperationState, MessageOperationEvent>(evolveMessageOperation);
const T = '2026-11-23T10:00:00.000Z';

function created(
  overrides: Partial<MessageOperationCreated['data']> = {},
): MessageOperationCreated {
  return {
    type: 'MessageOperationCreated',
    data: {
      operationId: '01jabcdefghjkmnpqrstvwxyz0',
      recipients: 3,
      messages: 2,
      unaddressable: 1,
      scheduledFor: null,
      tags: { campaign: 'spring' },
      createdAt: T,
      ...overrides,
    },
  };
}
const processed: MessageOperationEvent = {
  type: 'MessageOperationProcessed',
  data: { operationId: created().data.operationId, messages: 2, processedAt: T },
};

describe('message operation', () => {
  it('is created once', () => {
    operation
      .given()
      .when((s) => createMessageOperation(s, created().data))
      .then([created()]);
    operation
      .given(created())
      .when((s) => createMessageOperation(s, created().data))
      .thenThrows({
        kind: 'conflict',
        attribute: 'operationId',
        message: 'operation already exists',
      });
  });

  it('needs 1 to 10,000 recipients, each a message or unaddressable', () => {
    operation
      .given()
      .when((s) =>
        createMessageOperation(s, created({ recipients: 0, messages: 0, unaddressable: 0 }).data),
      )
      .thenThrows(recipientCount);
    operation
      .given()
      .when((s) =>
        createMessageOperation(
          s,
          created({ recipients: 10_001, messages: 10_001, unaddressable: 0 }).data,
        ),
      )
      .thenThrows(recipientCount);
    for (const accepted of [
      created({ recipients: 1, messages: 1, unaddressable: 0 }),
      created({ recipients: 10_000, messages: 9_999, unaddressable: 1 }),
      // Every recipient unaddressable: an operation with no message, still recorded.
      created({ recipients: 2, messages: 0, unaddressable: 2 }),
    ]) {
      operation
        .given()
        .when((s) => createMessageOperation(s, accepted.data))
        .then([accepted]);
    }
    operation
      .given()
      .when((s) => createMessageOperation(s, created({ recipients: 3, messages: 3 }).data))
      .thenThrows(unaccounted);
    operation
      .given()
      .when((s) =>
        createMessageOperation(s, created({ recipients: 3, messages: -1, unaddressable: 4 }).data),
      )
      .thenThrows(unaccounted);
  });

  it('lists its fan-out inline, or in parts and then nothing inline', () => {
    const fanOut = { text: 'Hi', media: [], from: { phone: '+15550000000' } };
    const two = [
      { channel: 'phone' as const, to: '+15550000001' },
      { channel: 'phone' as const, to: '+15550000002' },
    ];
    const inline = created({ fanOut: { ...fanOut, messages: two } });
    operation
      .given()
      .when((s) => createMessageOperation(s, inline.data))
      .then([inline]);
    const parted = created({ fanOut: { ...fanOut, messages: [], parts: 2 } });
    operation
      .given()
      .when((s) => createMessageOperation(s, parted.data))
      .then([parted]);
    for (const wrong of [
      { ...fanOut, messages: two.slice(1) },
      { ...fanOut, messages: two, parts: 1 },
      { ...fanOut, messages: [], parts: 0 },
    ]) {
      operation
        .given()
        .when((s) => createMessageOperation(s, created({ fanOut: wrong }).data))
        .thenThrows(unlisted);
    }
    const onePart = created({ fanOut: { ...fanOut, messages: [], parts: 1 } });
    operation
      .given()
      .when((s) => createMessageOperation(s, onePart.data))
      .then([onePart]);
  });

  it('is processed once, after it exists', () => {
    operation
      .given(created())
      .when((s) => markMessageOperationProcessed(s, { processedAt: T }))
      .then([processed]);
    operation
      .given(created(), processed)
      .when((s) => markMessageOperationProcessed(s, { processedAt: T }))
      .then([]);
    operation
      .given()
      .when((s) => markMessageOperationProcessed(s, { processedAt: T }))
      .thenThrows(notFound);
    operation
      .given()
      .when((s) => claimMessageOperation(s, { runner: 'a', now: new Date(T), leaseMs: 60_000 }))
      .thenThrows(notFound);
  });

  it('names its messages the same way every time, in creation order', () => {
    const at = new Date(T);
    const first = operationMessageId('op1', 0, at);
    expect(first).toMatch(ULID_PATTERN);
    expect(operationMessageId('op1', 0, at)).toBe(first);
    expect(operationMessageId('op1', 1, at)).not.toBe(first);
    expect(operationMessageId('op2', 0, at)).not.toBe(first);
    const later = operationMessageId('op1', 0, new Date(at.getTime() + 1));
    expect(first.slice(0, 10) < later.slice(0, 10)).toBe(true);
  });

  it('schedules strictly in the future and at most 30 days ahead', () => {
    const now = new Date(T);
    expect(checkSendAt('2026-11-23T11:00:00+01:00', new Date('2026-11-23T09:00:00Z'))).toBe(
      '2026-11-23T10:00:00.000Z',
    );
    expect(checkSendAt('2026-12-23T10:00:00Z', now)).toBe('2026-12-23T10:00:00.000Z');
    for (const [bad, message] of [
      ['2026-11-23T10:00:00Z', 'sendAt must be in the future'],
      ['2026-11-22T10:00:00Z', 'sendAt must be in the future'],
      ['2026-12-23T10:00:01Z', 'sendAt must be at most 30 days ahead'],
      ['soon', 'sendAt must be an RFC 3339 date-time'],
    ]) {
      expectDomainError(() => checkSendAt(bad!, now), {
        kind: 'invalid',
        attribute: 'schedule.sendAt',
        message: message!,
      });
    }
  });
});

describe('message operation fan-out as a durable job', () => {
  const now = new Date(T);
  const fanOut = {
    text: 'Hi {{ name }}',
    media: [],
    from: { phone: '+15005550006' },
    messages: [
      { channel: 'phone' as const, to: '+14155550100' },
      { channel: 'phone' as const, to: '+14155550101', variables: { name: 'Bo' } },
    ],
  };
  const claimed: MessageOperationEvent = {
    type: 'MessageOperationClaimed',
    data: {
      operationId: created().data.operationId,
      runner: 'a',
      attempt: 1,
      leaseUntil: '2026-11-23T10:01:00.000Z',
      at: T,
    },
  };

  it('is created with every message it makes, or refused', () => {
    operation
      .given()
      .when((s) => createMessageOperation(s, created({ fanOut }).data))
      .then([created({ fanOut })]);
    operation
      .given()
      .when((s) => createMessageOperation(s, created({ fanOut: { ...fanOut, messages: [] } }).data))
      .thenThrows(unlisted);
  });

  it('is claimed by one runner at a time and closed only by the lease holder', () => {
    operation
      .given(created({ fanOut }))
      .when((s) => claimMessageOperation(s, { runner: 'a', now, leaseMs: 60_000 }))
      .then([claimed]);
    operation
      .given(created({ fanOut }), claimed)
      .when((s) => claimMessageOperation(s, { runner: 'b', now, leaseMs: 60_000 }))
      .thenThrows(leasedElsewhere);
    operation
      .given(created({ fanOut }), claimed)
      .when((s) => markMessageOperationProcessed(s, { processedAt: T, runner: 'b' }))
      .thenThrows(leasedElsewhere);
    operation
      .given(created({ fanOut }), claimed)
      .when((s) => markMessageOperationProcessed(s, { processedAt: T, runner: 'a' }))
      .then([processed]);
    operation
      .given(created({ fanOut }), claimed, processed)
      .when((s) => claimMessageOperation(s, { runner: 'b', now, leaseMs: 60_000 }))
      .then([]);
  });
});
