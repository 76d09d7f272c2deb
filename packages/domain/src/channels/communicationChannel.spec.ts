import { createHash } from 'node:crypto';
import { spec } from '../testing/givenWhenThen';
import type { ChannelAdded, ChannelEvent } from './channelEvents';
import {
  MAX_CHANNELS_PER_USER,
  addChannel,
  bounceChannel,
  channelAddressKeyOf,
  channelTypeOf,
  confirmChannel,
  evolveChannel,
  isValidEmail,
  removeChannel,
  resetChannelBounces,
  type AddChannel,
  type ChannelState,
} from './communicationChannel';

const channel = spec<ChannelState, ChannelEvent>(evolveChannel);
const at = '2026-01-01T00:00:00.000Z';
const later = '2026-01-02T00:00:00.000Z';

const add = (over: Partial<AddChannel> = {}): AddChannel => ({
  channelId: '40',
  userId: '7',
  type: 'email',
  address: 'jane@example.com',
  position: 1,
  existingCount: 0,
  skipConfirmation: false,
  confirmationNonce: 'ABCD2345',
  createdAt: at,
  ...over,
  // A new channel's id is the id its request took.
  requestId: over.requestId ?? over.channelId ?? '40',
});

/** Stands in for the HMAC: the code of channel 40 is its nonce reversed. */
const codeFor = (channelId: string, nonce: string) =>
  channelId === '40' ? [...nonce].reverse().join('') : 'NOT-THIS-CHANNEL';

const added: ChannelAdded = {
  type: 'ChannelAdded',
  data: {
    channelId: '40',
    userId: '7',
    type: 'email',
    address: 'jane@example.com',
    position: 1,
    workflowState: 'unconfirmed',
    confirmationNonce: 'ABCD2345',
    createdAt: at,
  },
};
const removed: ChannelEvent = {
  type: 'ChannelRemoved',
  data: { channelId: '40', userId: '7', removedAt: later },
};
const bounced: ChannelEvent = {
  type: 'ChannelBounced',
  data: { channelId: '40', userId: '7', bounceCount: 1, lastBounceAt: later },
};

const notFound = {
  kind: 'not_found',
  attribute: 'channel',
  message: 'The specified resource does not exist.',
} as const;

describe('CommunicationChannel', () => {
  it('adds an email channel unconfirmed, with its code and position', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ address: ' jane@example.com ' })))
      .then([added]);
  });

  it('activates at once when skip_confirmation was granted, keeping no code', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ skipConfirmation: true })))
      .then([
        { ...added, data: { ...added.data, workflowState: 'active', confirmationNonce: null } },
      ]);
  });

  it('makes push channels active regardless of skip_confirmation', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'push', address: 'device-token-1' })))
      .then([
        {
          ...added,
          data: {
            ...added.data,
            type: 'push',
            address: 'device-token-1',
            workflowState: 'active',
            confirmationNonce: null,
          },
        },
      ]);
  });

  it('does not check SMS numbers', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'sms', address: 'not a number' })))
      .then([{ ...added, data: { ...added.data, type: 'sms', address: 'not a number' } }]);
  });

  it('refuses an email address that is not one (errors.email)', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ address: 'no-at-sign' })))
      .thenThrows({ kind: 'invalid', attribute: 'email', message: 'invalid' });
  });

  it('refuses a blank address, and a blank push token', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'sms', address: '  ' })))
      .thenThrows({ kind: 'invalid', attribute: 'address', message: 'blank' });
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'push', address: '' })))
      .thenThrows({ kind: 'invalid', attribute: 'token', message: 'blank' });
  });

  it('refuses an address over 255 characters, and takes one of 255', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'sms', address: '1'.repeat(256) })))
      .thenThrows({ kind: 'invalid', attribute: 'path', message: 'too_long' });
    channel
      .given()
      .when((s) => addChannel(s, add({ type: 'sms', address: ` ${'1'.repeat(255)} ` })))
      .then([{ ...added, data: { ...added.data, type: 'sms', address: '1'.repeat(255) } }]);
  });

  it('refuses a duplicate of an unconfirmed or active channel', () => {
    channel
      .given(added)
      .when((s) => addChannel(s, add({ channelId: '41' })))
      .thenThrows({ kind: 'conflict', attribute: 'path', message: 'taken' });
    channel
      .given(added, {
        type: 'ChannelConfirmed',
        data: { channelId: '40', userId: '7', confirmedAt: later },
      })
      .when((s) => addChannel(s, add({ channelId: '41' })))
      .thenThrows({ kind: 'conflict', attribute: 'path', message: 'taken' });
  });

  it('writes nothing for a live channel its own request added or revived: that request retried', () => {
    channel
      .given(added)
      .when((s) => addChannel(s, add({ channelId: '41', requestId: '40' })))
      .then([]);
    const revivedBy = (revivalId?: string): ChannelEvent => ({
      type: 'ChannelRevived',
      data: {
        channelId: '40',
        userId: '7',
        workflowState: 'unconfirmed',
        confirmationNonce: 'NEWCODE2',
        revivedAt: later,
        ...(revivalId ? { revivalId } : {}),
      },
    });
    channel
      .given(added, removed, revivedBy('99'))
      .when((s) => addChannel(s, add({ channelId: '99' })))
      .then([]);
    // Not the request that revived it (nor the one that first added it): a duplicate.
    channel
      .given(added, removed, revivedBy('99'))
      .when((s) => addChannel(s, add({ channelId: '98' })))
      .thenThrows({ kind: 'conflict', attribute: 'path', message: 'taken' });
    channel
      .given(added, removed, revivedBy('99'))
      .when((s) => addChannel(s, add({ channelId: '40' })))
      .thenThrows({ kind: 'conflict', attribute: 'path', message: 'taken' });
    // A revival that recorded no request is nobody's retry.
    channel
      .given(added, removed, revivedBy())
      .when((s) => addChannel(s, add({ channelId: '40' })))
      .thenThrows({ kind: 'conflict', attribute: 'path', message: 'taken' });
  });

  it('stops at 100 channels per user', () => {
    channel
      .given()
      .when((s) => addChannel(s, add({ existingCount: MAX_CHANNELS_PER_USER })))
      .thenThrows({
        kind: 'invalid',
        attribute: 'type',
        message: 'Maximum number of communication channels reached',
        type: 'limit',
      });
    channel
      .given()
      .when((s) => addChannel(s, add({ existingCount: MAX_CHANNELS_PER_USER - 1 })))
      .then([added]);
  });

  it('revives a retired channel: same record, bounces cleared, unconfirmed or active', () => {
    const revived = (
      workflowState: 'unconfirmed' | 'active',
      code: string | null,
      revivalId: string,
    ): ChannelEvent[] => [
      {
        type: 'ChannelRevived',
        data: {
          channelId: '40',
          userId: '7',
          workflowState,
          confirmationNonce: code,
          revivedAt: later,
          revivalId,
        },
      },
    ];
    channel
      .given(added, bounced, removed)
      .when((s) =>
        addChannel(s, add({ channelId: '99', confirmationNonce: 'NEWCODE2', createdAt: later })),
      )
      .then(revived('unconfirmed', 'NEWCODE2', '99'));
    channel
      .given(added, bounced, removed)
      .when((s) => addChannel(s, add({ skipConfirmation: true, createdAt: later })))
      .then(revived('active', null, '40'));
    const state = [
      added,
      bounced,
      removed,
      ...revived('active', null, '41'),
    ].reduce<ChannelState | null>((s, e) => evolveChannel(s, e), null);
    expect(state).toMatchObject({
      workflowState: 'active',
      bounceCount: 0,
      lastBounceAt: null,
      addedBy: '41',
    });
  });

  it('confirms with the code it was sent, case-insensitively; a wrong code changes nothing', () => {
    const confirmed = {
      type: 'ChannelConfirmed',
      data: { channelId: '40', userId: '7', confirmedAt: later },
    } as const;
    channel
      .given(added)
      .when((s) => confirmChannel(s, { code: ' 5432dcba ', codeFor, confirmedAt: later }))
      .then([confirmed]);
    channel
      .given(added)
      .when((s) => confirmChannel(s, { code: 'WRONG', codeFor, confirmedAt: later }))
      .thenThrows({ kind: 'invalid', attribute: 'code', message: 'invalid' });
    // The nonce in the event is not the code.
    channel
      .given(added)
      .when((s) => confirmChannel(s, { code: 'ABCD2345', codeFor, confirmedAt: later }))
      .thenThrows({ kind: 'invalid', attribute: 'code', message: 'invalid' });
    channel
      .given(added, confirmed)
      .when((s) => confirmChannel(s, { code: '5432DCBA', codeFor, confirmedAt: later }))
      .then([]);
    channel
      .given(added, removed)
      .when((s) => confirmChannel(s, { code: '5432DCBA', codeFor, confirmedAt: later }))
      .thenThrows(notFound);
  });

  it('removes softly; removing again or an unknown channel is not found', () => {
    channel
      .given(added)
      .when((s) => removeChannel(s, { removedAt: later }))
      .then([removed]);
    channel
      .given(added, removed)
      .when((s) => removeChannel(s, { removedAt: later }))
      .thenThrows(notFound);
    channel
      .given()
      .when((s) => removeChannel(s, { removedAt: later }))
      .thenThrows(notFound);
  });

  it('counts bounces and resets them after a successful send', () => {
    channel
      .given(added)
      .when((s) => bounceChannel(s, { bouncedAt: later }))
      .then([bounced]);
    const anHourOn = '2026-01-02T01:00:00.000Z';
    channel
      .given(added, bounced)
      .when((s) => bounceChannel(s, { bouncedAt: anHourOn }))
      .then([
        {
          ...bounced,
          data: { ...bounced.data, bounceCount: 2, lastBounceAt: anHourOn },
        } as ChannelEvent,
      ]);
    channel
      .given(added, bounced)
      .when((s) => resetChannelBounces(s, { resetAt: later }))
      .then([
        { type: 'ChannelBounceReset', data: { channelId: '40', userId: '7', resetAt: later } },
      ]);
    channel
      .given(added)
      .when((s) => resetChannelBounces(s, { resetAt: later }))
      .then([]);
    channel
      .given(added, removed)
      .when((s) => bounceChannel(s, { bouncedAt: later }))
      .thenThrows(notFound);
  });

  it("keeps the bounce's summary when delivery gives one, null included", () => {
    channel
      .given(added)
      .when((s) => bounceChannel(s, { bouncedAt: later, summary: 'mailbox full' }))
      .then([{ ...bounced, data: { ...bounced.data, summary: 'mailbox full' } } as ChannelEvent]);
    channel
      .given(added)
      .when((s) => bounceChannel(s, { bouncedAt: later, summary: null }))
      .then([{ ...bounced, data: { ...bounced.data, summary: null } } as ChannelEvent]);
  });

  it('counts at most one bounce an hour, unless a successful send reset the count since', () => {
    const minutesOn = (m: number) => new Date(Date.parse(later) + m * 60_000).toISOString();
    channel
      .given(added, bounced)
      .when((s) => bounceChannel(s, { bouncedAt: minutesOn(59) }))
      .then([]);
    const reset = {
      type: 'ChannelBounceReset',
      data: { channelId: '40', userId: '7', resetAt: minutesOn(1) },
    } as const;
    channel
      .given(added, bounced, reset)
      .when((s) => bounceChannel(s, { bouncedAt: minutesOn(2) }))
      .then([
        {
          type: 'ChannelBounced',
          data: { channelId: '40', userId: '7', bounceCount: 1, lastBounceAt: minutesOn(2) },
        },
      ]);
  });

  it('turns unknown types into email and keys addresses case-insensitively', () => {
    expect(channelTypeOf('twitter')).toBe('email');
    expect(channelTypeOf('personal_email')).toBe('email');
    expect(channelTypeOf(undefined)).toBe('email');
    expect(channelTypeOf(' SMS ')).toBe('sms');
    expect(channelTypeOf('push')).toBe('push');
    expect(channelAddressKeyOf('7', 'email', ' Jane@Example.COM')).toBe(
      channelAddressKeyOf('7', 'email', 'jane@example.com'),
    );
    // The stream name holds the first 40 hex digits of the SHA-256 of the lower-cased address.
    const digest = createHash('sha256').update('jane@example.com').digest('hex').slice(0, 40);
    expect(channelAddressKeyOf('7', 'email', ' Jane@Example.COM ')).toBe(`7.email.${digest}`);
    expect(channelAddressKeyOf('7', 'email', 'a@b')).not.toBe(
      channelAddressKeyOf('8', 'email', 'a@b'),
    );
    expect(channelAddressKeyOf('7', 'sms', 'a@b')).not.toBe(
      channelAddressKeyOf('7', 'email', 'a@b'),
    );
  });

  it('validates email leniently', () => {
    expect(isValidEmail('a@b')).toBe(true);
    expect(isValidEmail('first.last+tag@sub.example.co.uk')).toBe(true);
    expect(isValidEmail('a b@c.d')).toBe(false);
    expect(isValidEmail('a@b@c')).toBe(false);
    expect(isValidEmail('@b.c')).toBe(false);
  });
});
