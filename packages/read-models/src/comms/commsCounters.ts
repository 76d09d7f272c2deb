import type { CommsStatus } from '@missive/domain';

/** An operation's counts fixed when it is created: recipients asked for, reached, left out. */
export const COMMS_SEND_COUNTERS = ['total', 'recipients', 'attempts', 'unaddressable'] as const;

/**
 * An operation's running counts of its messages by status: each status change of a message
 * moves one count from the old status to the new.
 */
export const COMMS_STATUS_COUNTERS = [
  'queued',
  'sent',
  'scheduled',
  'delivered',
  'read',
  'undelivered',
  'failed',
  'canceled',
] as const;

export type CommsStatusCounter = (typeof COMMS_STATUS_COUNTERS)[number];

/** The count a message in each Comms status adds to. */
export const COUNTER_OF: Record<CommsStatus, CommsStatusCounter> = {
  QUEUED: 'queued',
  SENT: 'sent',
  SCHEDULED: 'scheduled',
  DELIVERED: 'delivered',
  READ: 'read',
  UNDELIVERED: 'undelivered',
  FAILED: 'failed',
  CANCELED: 'canceled',
};

/** Every count of an operation, as its `stats` reports them: one column each in the table. */
export type CommsOperationStats = Record<
  (typeof COMMS_SEND_COUNTERS)[number] | CommsStatusCounter,
  number
>;

export const COMMS_COUNTERS = [...COMMS_SEND_COUNTERS, ...COMMS_STATUS_COUNTERS] as const;
