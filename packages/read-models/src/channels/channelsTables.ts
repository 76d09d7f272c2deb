/**
 * Communication-channel read model. `address_key` is the lower-cased address, so lookups by
 * address are case-insensitive on both dialects without functional indexes.
 */
export interface CommunicationChannelsTable {
  id: number | string;
  user_id: number | string;
  type: string;
  address: string;
  address_key: string;
  position: number;
  workflow_state: string;
  bounce_count: number;
  last_bounce_at: string | null;
  /** The last permanent bounce's reason (Canvas's `last_bounce_summary`). */
  last_bounce_summary: string | null;
  created_at: string;
}

export interface ChannelsDatabase {
  communication_channels: CommunicationChannelsTable;
}
