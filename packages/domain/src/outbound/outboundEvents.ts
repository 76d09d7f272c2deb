import type { DomainEvent } from '../shared/domainEvent';

/**
 * Where an outbound message goes. Canvas channels (`email`, `sms`, `push`) carry conversation
 * notifications; `phone` and `whatsapp` are the Comms API's recipient channels.
 */
export type OutboundChannel = 'email' | 'sms' | 'push' | 'phone' | 'whatsapp';

/** Why the message exists: a conversation notification, a channel confirmation, a Comms send. */
export type OutboundKind = 'conversation_message' | 'channel_confirmation' | 'comms';

/** The event that caused a process manager to create the message (null for API sends). */
export interface OutboundCause {
  eventId: string;
  streamId: string;
  type: string;
}

export interface DeliveryError {
  code: string;
  message: string;
}

export type OutboundMessageCreated = DomainEvent<
  'OutboundMessageCreated',
  {
    /** Lowercase ULID; the stream is `outbound-<outboundId>`, the Comms id `comms_message_<it>`. */
    outboundId: string;
    /** The numeric CommMessage id Canvas clients see. */
    messageId: string;
    kind: OutboundKind;
    /** The recipient user (Canvas); null for Comms sends, which address numbers, not users. */
    userId: string | null;
    channelId: string | null;
    channel: OutboundChannel;
    to: string;
    from: string;
    fromName: string | null;
    replyTo: string | null;
    subject: string | null;
    body: string;
    htmlBody: string | null;
    /** Media URLs (Comms MMS); empty otherwise. */
    media: string[];
    conversationId: string | null;
    /** The Comms operation this message belongs to. */
    operationId: string | null;
    tags: Record<string, string>;
    /** Set when sent with a schedule: the message waits in `scheduled` until then. */
    scheduledFor: string | null;
    cause: OutboundCause | null;
    /**
     * Canvas creates the notifications of a bouncing channel already `bounced` and never
     * dispatches them: such a message starts, and stays, bounced.
     */
    suppressed: boolean;
    createdAt: string;
    /**
     * Comms messages: when the record stops being served and its key is deleted (its
     * operation's `expiresAt`). Absent on Canvas messages, which are their recipient's
     * records, and on Comms messages created before it was recorded (they had the 7 days).
     */
    expiresAt?: string;
  }
>;

/** A scheduled message's time has come: it joins the delivery queue. */
export type OutboundMessageQueued = DomainEvent<
  'OutboundMessageQueued',
  { outboundId: string; queuedAt: string }
>;

/** A dispatcher claimed the message for one attempt (the append's expected revision is the lock). */
export type OutboundDispatchStarted = DomainEvent<
  'OutboundDispatchStarted',
  {
    outboundId: string;
    attempt: number;
    transport: string;
    startedAt: string;
    /**
     * The dispatcher that made the attempt (`node-<NODE_ID>`): restarted, it takes back its
     * own unfinished attempts at once instead of waiting out their lease. Absent in events
     * written before it existed.
     */
    dispatcher?: string;
  }
>;

export type OutboundMessageSent = DomainEvent<
  'OutboundMessageSent',
  {
    outboundId: string;
    attempt: number;
    transport: string;
    /** The transport's own id (SMTP Message-ID, provider SID): what `Seek` and webhooks use. */
    providerMessageId: string | null;
    sentAt: string;
  }
>;

/**
 * An attempt failed without a permanent bounce. With `retryAt` the message goes back to
 * `staged` until then; without it the attempts are used up and the message has failed.
 */
export type OutboundAttemptFailed = DomainEvent<
  'OutboundAttemptFailed',
  {
    outboundId: string;
    attempt: number;
    error: DeliveryError;
    retryAt: string | null;
    failedAt: string;
  }
>;

/** A permanent bounce, reported by the transport during the attempt or later by a provider. */
export type OutboundMessageBounced = DomainEvent<
  'OutboundMessageBounced',
  { outboundId: string; reason: string; bouncedAt: string }
>;

/** A provider confirmed delivery to the handset or mailbox. */
export type OutboundMessageDelivered = DomainEvent<
  'OutboundMessageDelivered',
  { outboundId: string; deliveredAt: string }
>;

/** Sent, but the provider reports it never arrived (not a permanent address failure). */
export type OutboundMessageUndelivered = DomainEvent<
  'OutboundMessageUndelivered',
  { outboundId: string; error: DeliveryError; at: string }
>;

export type OutboundMessageCancelled = DomainEvent<
  'OutboundMessageCancelled',
  { outboundId: string; cancelledAt: string }
>;

export type OutboundEvent =
  | OutboundMessageCreated
  | OutboundMessageQueued
  | OutboundDispatchStarted
  | OutboundMessageSent
  | OutboundAttemptFailed
  | OutboundMessageBounced
  | OutboundMessageDelivered
  | OutboundMessageUndelivered
  | OutboundMessageCancelled;
