import type { DeliveryError, OutboundAttempt, OutboundState } from '@missive/domain';

/** One delivery attempt, as stored in `attempts` (JSON). */
export interface OutboundAttemptRecord {
  attempt: number;
  transport: string;
  status: OutboundAttempt['status'];
  attemptedAt: string;
  error: DeliveryError | null;
}

/**
 * One row per outbound message, the state the CommMessages list, the Comms API and the delivery
 * webhook read. `media`, `tags` and `attempts` are JSON text: they are only ever read whole.
 * Times are `toISOString()` text, so the time-bound and keyset comparisons work on text.
 */
export interface OutboundMessagesTable {
  outbound_id: string;
  message_id: number | string;
  kind: string;
  user_id: number | string | null;
  channel_id: number | string | null;
  channel: string;
  to_address: string;
  from_address: string;
  from_name: string | null;
  reply_to: string | null;
  subject: string | null;
  body: string;
  html_body: string | null;
  media: string;
  conversation_id: number | string | null;
  operation_id: string | null;
  tags: string;
  scheduled_for: string | null;
  state: OutboundState;
  provider_message_id: string | null;
  attempts: string;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface OutboundMessagesDatabase {
  outbound_messages: OutboundMessagesTable;
}
