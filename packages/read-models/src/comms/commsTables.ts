import type { CommsStatus } from '@missive/domain';
import type { CommsOperationStats } from './commsCounters';

/**
 * Comms Messages read model (`/v1/Messages`). Ids are the lowercase ULIDs without their
 * `comms_message_` / `comms_operation_` prefixes; a ULID starts with its creation time, so
 * ordering by id is ordering by creation and the list's keyset needs no second column. Times
 * are ISO 8601 UTC text (`toISOString`), which sorts as time on both dialects. JSON columns
 * hold what is only ever returned, never filtered on.
 */
export interface CommsMessagesTable {
  id: string;
  operation_id: string | null;
  /** Comms `status` (QUEUED, SENT, ...). */
  status: string;
  /** Recipient side: PHONE or WHATSAPP. */
  to_channel: string;
  to_address: string;
  /** Sender side, what the list's `channel` filter matches: SMS or WHATSAPP. */
  from_channel: string;
  from_address: string;
  /** Always null today (no Memory profiles or sessions): kept so those filters are real. */
  profile_id: string | null;
  session_id: string | null;
  text: string | null;
  /** JSON array of media URLs. */
  media: string;
  /** JSON object; the `comms_message_tags` rows serve the filter. */
  tags: string;
  /** JSON array of CommsAttemptRecord. */
  attempts: string;
  provider_message_id: string | null;
  scheduled_for: string | null;
  created_at: string;
  updated_at: string;
  /** Retention: served while `expires_at > now`, purged after. */
  expires_at: string;
}

/** One row per tag of a message: the all-tags-match filter walks (key, value, message_id). */
export interface CommsMessageTagsTable {
  key: string;
  value: string;
  message_id: string;
}

/** How many messages carry each tag: the list walks the rarest of the tags it filters on. */
export interface CommsTagCountsTable {
  key: string;
  value: string;
  messages: number;
}

export interface CommsOperationsTable extends CommsOperationStats {
  id: string;
  status: string;
  scheduled_for: string | null;
  processed_at: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export interface CommsDatabase {
  comms_messages: CommsMessagesTable;
  comms_message_tags: CommsMessageTagsTable;
  comms_tag_counts: CommsTagCountsTable;
  comms_operations: CommsOperationsTable;
}

/** One delivery attempt as Fetch Message shows it: an element of `comms_messages.attempts`. */
export interface CommsAttemptRecord {
  attempt: number;
  status: CommsStatus;
  attemptedAt: string;
  error: { code: string; message: string } | null;
}
