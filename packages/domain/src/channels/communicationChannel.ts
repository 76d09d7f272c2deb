import { createHash } from 'node:crypto';
import { DomainError } from '../shared/domainError';
import type {
  ChannelAdded,
  ChannelBounceReset,
  ChannelBounced,
  ChannelConfirmed,
  ChannelEvent,
  ChannelRemoved,
  ChannelRevived,
  ChannelType,
  ChannelWorkflowState,
} from './channelEvents';

export interface ChannelState {
  readonly channelId: string;
  readonly userId: string;
  readonly type: ChannelType;
  readonly address: string;
  readonly position: number;
  readonly workflowState: ChannelWorkflowState;
  readonly confirmationNonce: string | null;
  readonly bounceCount: number;
  readonly lastBounceAt: string | null;
  /**
   * The id of the request that last made it live: a new channel's is its own id, a revived
   * one's the revival's (null for revivals that recorded none).
   */
  readonly addedBy: string | null;
}

/** How many channels one user may hold, unless configured otherwise. */
export const MAX_CHANNELS_PER_USER = 100;
export const MAX_ADDRESS_LENGTH = 255;
export const CHANNEL_LIMIT_MESSAGE = 'Maximum number of communication channels reached';

export function evolveChannel(
  state: ChannelState | null,
  event: ChannelEvent,
): ChannelState | null {
  switch (event.type) {
    case 'ChannelAdded':
      return {
        channelId: event.data.channelId,
        userId: event.data.userId,
        type: event.data.type,
        address: event.data.address,
        position: event.data.position,
        workflowState: event.data.workflowState,
        confirmationNonce: event.data.confirmationNonce,
        bounceCount: 0,
        lastBounceAt: null,
        addedBy: event.data.channelId,
      };
    case 'ChannelRevived':
      if (!state) return state;
      return {
        ...state,
        workflowState: event.data.workflowState,
        confirmationNonce: event.data.confirmationNonce,
        bounceCount: 0,
        lastBounceAt: null,
        addedBy: event.data.revivalId ?? null,
      };
    case 'ChannelConfirmed':
      if (!state) return state;
      return { ...state, workflowState: 'active', confirmationNonce: null };
    case 'ChannelRemoved':
      if (!state) return state;
      return { ...state, workflowState: 'retired' };
    case 'ChannelBounced':
      if (!state) return state;
      return {
        ...state,
        bounceCount: event.data.bounceCount,
        lastBounceAt: event.data.lastBounceAt,
      };
    case 'ChannelBounceReset':
      if (!state) return state;
      return { ...state, bounceCount: 0 };
  }
}

const TYPES = new Set<ChannelType>(['email', 'sms', 'push']);

/** An unknown type (and `personal_email`) is taken as email, without an error. */
export function channelTypeOf(raw: string | null | undefined): ChannelType {
  // Stryker disable next-line StringLiteral: any other fallback string is not a type either, so it still ends as email
  const type = (raw ?? '').trim().toLowerCase();
  return TYPES.has(type as ChannelType) ? (type as ChannelType) : 'email';
}

/**
 * Lenient on purpose: one `@` with something on both sides and no whitespace. Strict address
 * grammar would refuse addresses real mail servers accept.
 */
export function isValidEmail(address: string): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(address);
}

/** The reservation key of a user's address: case-insensitive, hashed to keep stream names short. */
export function channelAddressKeyOf(userId: string, type: ChannelType, address: string): string {
  const digest = createHash('sha256').update(address.trim().toLowerCase()).digest('hex');
  return `${userId}.${type}.${digest.slice(0, 40)}`;
}

export interface AddChannel {
  channelId: string;
  /**
   * The id this request took: the channel's own when it is new. A live channel this request
   * already added or revived (its retry after a crash) is no duplicate: nothing is written.
   */
  requestId: string;
  userId: string;
  type: ChannelType;
  /** The address, or for push the device token. */
  address: string;
  /** Where a new channel goes: after the user's last one (the caller knows the user's set). */
  position: number;
  /** The user's unretired channels, for the per-user limit. */
  existingCount: number;
  /** Already restricted to site admins by the caller; push channels are active regardless. */
  skipConfirmation: boolean;
  confirmationNonce: string;
  createdAt: string;
}

/** Everything about an address that does not depend on the user's existing channels. */
export function checkChannelAddress(type: ChannelType, rawAddress: string): string {
  const address = rawAddress.trim();
  if (!address) {
    throw new DomainError('invalid', type === 'push' ? 'token' : 'address', 'blank', 'blank');
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    throw new DomainError('invalid', 'path', 'too_long', 'too_long');
  }
  if (type === 'email' && !isValidEmail(address)) {
    throw new DomainError('invalid', 'email', 'invalid', 'invalid');
  }
  return address;
}

/**
 * Adds a channel, or revives it when `state` is the retired channel of the same
 * user/type/address. Any other existing channel is a duplicate.
 */
export function addChannel(
  state: ChannelState | null,
  cmd: AddChannel,
): (ChannelAdded | ChannelRevived)[] {
  const address = checkChannelAddress(cmd.type, cmd.address);
  if (state && state.workflowState !== 'retired') {
    if (state.addedBy === cmd.requestId) return [];
    throw new DomainError('conflict', 'path', 'taken', 'taken');
  }
  if (cmd.existingCount >= MAX_CHANNELS_PER_USER) {
    throw new DomainError('invalid', 'type', CHANNEL_LIMIT_MESSAGE, 'limit');
  }
  const active = cmd.type === 'push' || cmd.skipConfirmation;
  const workflowState = active ? 'active' : 'unconfirmed';
  const confirmationNonce = active ? null : cmd.confirmationNonce;
  if (state) {
    return [
      {
        type: 'ChannelRevived',
        data: {
          channelId: state.channelId,
          userId: state.userId,
          workflowState,
          confirmationNonce,
          revivedAt: cmd.createdAt,
          revivalId: cmd.requestId,
        },
      },
    ];
  }
  return [
    {
      type: 'ChannelAdded',
      data: {
        channelId: cmd.channelId,
        userId: cmd.userId,
        type: cmd.type,
        address,
        position: cmd.position,
        workflowState,
        confirmationNonce,
        createdAt: cmd.createdAt,
      },
    },
  ];
}

function existing(state: ChannelState | null): ChannelState {
  if (!state || state.workflowState === 'retired') {
    throw new DomainError('not_found', 'channel', 'The specified resource does not exist.');
  }
  return state;
}

/** Confirming an active channel again is a no-op; a wrong code changes nothing. */
export function confirmChannel(
  state: ChannelState | null,
  cmd: {
    code: string;
    /** Derives the code a channel was sent from its nonce (the server secret stays outside). */
    codeFor: (channelId: string, nonce: string) => string;
    confirmedAt: string;
  },
): ChannelConfirmed[] {
  const channel = existing(state);
  if (channel.workflowState === 'active') return [];
  const nonce = channel.confirmationNonce;
  if (!nonce || !sameCode(cmd.codeFor(channel.channelId, nonce), cmd.code)) {
    throw new DomainError('invalid', 'code', 'invalid', 'invalid');
  }
  return [
    {
      type: 'ChannelConfirmed',
      data: { channelId: channel.channelId, userId: channel.userId, confirmedAt: cmd.confirmedAt },
    },
  ];
}

/** Codes are compared without regard to case or surrounding space: people retype them. */
function sameCode(expected: string, given: string): boolean {
  return expected.toUpperCase() === given.trim().toUpperCase();
}

/** Soft delete: a retired channel answers 404 everywhere, but its record is kept. */
export function removeChannel(
  state: ChannelState | null,
  cmd: { removedAt: string },
): ChannelRemoved[] {
  const channel = existing(state);
  return [
    {
      type: 'ChannelRemoved',
      data: { channelId: channel.channelId, userId: channel.userId, removedAt: cmd.removedAt },
    },
  ];
}

/**
 * A permanent bounce counts at most once an hour per address: a burst of messages bouncing
 * together is one bad address, not many.
 */
export const BOUNCE_COUNT_INTERVAL_MS = 3600_000;

/**
 * A permanent bounce (emitted by delivery): one more bounce, stamped, unless one was counted
 * less than an hour before (by the bounces' own times, so a replay decides the same). A reset
 * since then (a successful send) starts afresh: the next bounce counts at once.
 */
export function bounceChannel(
  state: ChannelState | null,
  cmd: { bouncedAt: string; summary?: string | null },
): ChannelBounced[] {
  const channel = existing(state);
  if (
    channel.bounceCount > 0 &&
    channel.lastBounceAt !== null &&
    Date.parse(cmd.bouncedAt) - Date.parse(channel.lastBounceAt) < BOUNCE_COUNT_INTERVAL_MS
  ) {
    return [];
  }
  return [
    {
      type: 'ChannelBounced',
      data: {
        channelId: channel.channelId,
        userId: channel.userId,
        bounceCount: channel.bounceCount + 1,
        lastBounceAt: cmd.bouncedAt,
        ...(cmd.summary === undefined ? {} : { summary: cmd.summary }),
      },
    },
  ];
}

/** A successful send clears the count (our choice; reactivating the channel clears it too); nothing to clear, nothing written. */
export function resetChannelBounces(
  state: ChannelState | null,
  cmd: { resetAt: string },
): ChannelBounceReset[] {
  const channel = existing(state);
  if (channel.bounceCount === 0) return [];
  return [
    {
      type: 'ChannelBounceReset',
      data: { channelId: channel.channelId, userId: channel.userId, resetAt: cmd.resetAt },
    },
  ];
}
