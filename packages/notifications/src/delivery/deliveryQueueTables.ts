/**
 * One row per outbound message that still needs the dispatcher: `scheduled` (due at its
 * schedule), `staged` (due now or at its retry time) or `sending` (`due_at` is when the attempt
 * started; the dispatcher takes it back once the lease has run out). Messages leave the queue
 * once sent, bounced, failed or cancelled.
 */
export interface DeliveryQueueTable {
  outbound_id: string;
  state: 'scheduled' | 'staged' | 'sending';
  /** ISO-8601 UTC with milliseconds, so text order is time order. */
  due_at: string;
  /** The stream revision this row reflects: lets the dispatcher tell a stale row. */
  revision: number;
}

export interface DeliveryQueueDatabase {
  delivery_queue: DeliveryQueueTable;
}
