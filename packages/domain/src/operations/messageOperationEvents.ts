import type { DomainEvent } from '../shared/domainEvent';

/**
 * A Comms send request was accepted. The messages themselves are `outbound-` streams carrying
 * this `operationId`; their ids derive from the operation (see operationMessageId), so the
 * fan-out can be repeated without creating anything twice.
 */
export type MessageOperationCreated = DomainEvent<
  'MessageOperationCreated',
  {
    /** Lowercase ULID; the stream is `operation-<operationId>`, the Comms id `comms_operation_<it>`. */
    operationId: string;
    /** Recipients targeted by the request (one `to` entry each). */
    recipients: number;
    /** Messages the operation creates: one per addressable recipient. */
    messages: number;
    /** Recipients with no usable sender/recipient pairing: no message, no attempt. */
    unaddressable: number;
    scheduledFor: string | null;
    tags: Record<string, string>;
    createdAt: string;
    /**
     * When the operation and its messages stop being served, and their keys are deleted
     * (COMMS_RETENTION_SECONDS after `createdAt`, or after `scheduledFor`). Absent on
     * operations created before it was recorded: those had the 7 days.
     */
    expiresAt?: string;
    /**
     * The messages to create, in index order (the `index` of operationMessageId): everything a
     * runner needs to finish the fan-out after a crash. Absent on operations created before
     * sends became durable; those cannot be resumed and are closed with what was written.
     */
    fanOut?: MessageOperationFanOut;
  }
>;

/**
 * One send's messages: the text before variables are applied, and each recipient's pairing.
 * Kept compact (the sender once per channel, named per message only where it differs). When
 * the messages would not fit in one append (EventStoreDB caps an append at 1 MiB by default:
 * 10,000 recipients with long variables exceed it), they are written beforehand as `parts`
 * MessageOperationFanOutPart events of `operationfanout-<operationId>`, and `messages` is empty.
 */
export interface MessageOperationFanOut {
  text: string;
  media: string[];
  /** The sender of each channel's messages, unless a message names its own. */
  from: { phone?: string; whatsapp?: string };
  messages: FanOutMessage[];
  /** How many MessageOperationFanOutPart events hold the messages, in index order. */
  parts?: number;
}

export interface FanOutMessage {
  channel: 'phone' | 'whatsapp';
  to: string;
  from?: string;
  /** The recipient's `variables`, applied to `text` (`{{ name }}`) when the message is made. */
  variables?: Record<string, string>;
}

/**
 * A slice of a large send's fan-out (see MessageOperationFanOut.parts), written to
 * `operationfanout-<operationId>` before the operation itself, each part its own append. Parts
 * whose operation never got created (the request died in between) describe nothing.
 */
export type MessageOperationFanOutPart = DomainEvent<
  'MessageOperationFanOutPart',
  {
    operationId: string;
    /** 0-based; part k sits at revision k of its stream. */
    part: number;
    parts: number;
    /** The messages of this part, continuing the previous part's index order. */
    messages: FanOutMessage[];
  }
>;

/** A job runner took (or renewed) the lease on the operation's fan-out. */
export type MessageOperationClaimed = DomainEvent<
  'MessageOperationClaimed',
  { operationId: string; runner: string; attempt: number; leaseUntil: string; at: string }
>;

/** Every message of the operation exists: processing has finished (not delivery). */
export type MessageOperationProcessed = DomainEvent<
  'MessageOperationProcessed',
  { operationId: string; messages: number; processedAt: string }
>;

export type MessageOperationEvent =
  MessageOperationCreated | MessageOperationClaimed | MessageOperationProcessed;
