import type { DomainEvent } from '../shared/domainEvent';

export type ChannelType = 'email' | 'sms' | 'push';
export type ChannelWorkflowState = 'unconfirmed' | 'active' | 'retired';

export type ChannelAdded = DomainEvent<
  'ChannelAdded',
  {
    channelId: string;
    userId: string;
    type: ChannelType;
    /** As given (case kept); for push, the device token. */
    address: string;
    position: number;
    workflowState: 'unconfirmed' | 'active';
    /**
     * Random input to the confirmation code (null when no confirmation is needed). The code
     * itself is HMAC(server secret, channel id + nonce): it never sits in the log, yet the API
     * and the notifier can both derive it.
     */
    confirmationNonce: string | null;
    createdAt: string;
  }
>;

/** Re-creating a retired channel brings the same record back (same id), with its bounces cleared. */
export type ChannelRevived = DomainEvent<
  'ChannelRevived',
  {
    channelId: string;
    userId: string;
    workflowState: 'unconfirmed' | 'active';
    /** As in ChannelAdded: a fresh nonce, so a revived channel gets a new code. */
    confirmationNonce: string | null;
    revivedAt: string;
    /**
     * The id the reviving request took (an Idempotency-Key fixes it), so that its retry finds
     * the revival its own; absent in revivals older than that.
     */
    revivalId?: string;
  }
>;

export type ChannelConfirmed = DomainEvent<
  'ChannelConfirmed',
  { channelId: string; userId: string; confirmedAt: string }
>;

export type ChannelRemoved = DomainEvent<
  'ChannelRemoved',
  { channelId: string; userId: string; removedAt: string }
>;

/**
 * A permanent bounce; `bounceCount` is the count after this bounce. `summary`: what the
 * provider said of it (shown as `last_bounce_summary`), absent in older events.
 */
export type ChannelBounced = DomainEvent<
  'ChannelBounced',
  {
    channelId: string;
    userId: string;
    bounceCount: number;
    lastBounceAt: string;
    summary?: string | null;
  }
>;

export type ChannelBounceReset = DomainEvent<
  'ChannelBounceReset',
  { channelId: string; userId: string; resetAt: string }
>;

export type ChannelEvent =
  | ChannelAdded
  | ChannelRevived
  | ChannelConfirmed
  | ChannelRemoved
  | ChannelBounced
  | ChannelBounceReset;

/**
 * Reserves one user/type/address (case-insensitively) for one channel id, forever: the
 * `channeladdress-` stream exists once, so concurrent creates cannot both add the address,
 * and re-creating a retired address finds the same channel to revive.
 */
export type ChannelAddressClaimed = DomainEvent<
  'ChannelAddressClaimed',
  { userId: string; type: ChannelType; address: string; channelId: string }
>;
