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
  }
>;

/** Every message of the operation exists: processing has finished (not delivery). */
export type MessageOperationProcessed = DomainEvent<
  'MessageOperationProcessed',
  { operationId: string; messages: number; processedAt: string }
>;

export type MessageOperationEvent = MessageOperationCreated | MessageOperationProcessed;
