import type { Transaction } from 'kysely';

/**
 * Inbox read model. One row per participant, so a user's inbox is a range of their own rows;
 * messages are stored once and shared, with a per-user copy row so per-user removal and
 * per-user counts stay cheap.
 * Ids are BIGINT, timestamps ISO-8601 text (sorts chronologically), booleans 0/1.
 */
export interface ConversationsTable {
  id: number | string;
  subject: string | null;
  private_hash: string | null;
  context_code: string | null;
  created_at: string;
}

export interface ConversationMessagesTable {
  id: number | string;
  conversation_id: number | string;
  author_id: number | string;
  body: string;
  created_at: string;
  generated: number;
  attachment_ids: string;
  media_comment: string | null;
  forwarded_message_ids: string;
  participating_user_ids: string;
}

export interface MessageCopiesTable {
  user_id: number | string;
  conversation_id: number | string;
  message_id: number | string;
  created_at: string;
}

export type WorkflowState = 'read' | 'unread' | 'archived';

export interface ConversationParticipantsTable {
  user_id: number | string;
  conversation_id: number | string;
  workflow_state: WorkflowState;
  starred: number;
  subscribed: number;
  last_message_at: string | null;
  /** Newest human message this user holds a copy of. */
  last_message_id: number | string | null;
  message_count: number;
  last_authored_at: string | null;
  visible_last_authored_at: string | null;
  last_authored_message_id: number | string | null;
  has_attachments: number;
  has_media_objects: number;
  updated_at: string;
  /*
   * What a list item shows, copied onto the row so that a page reads its participant rows
   * and nothing else: the conversation's subject, privacy and context (fixed when it starts),
   * and the two messages it previews (`messagePreview` of their bodies), kept with the ids.
   */
  subject: string | null;
  is_private: number;
  context_code: string | null;
  last_message_author_id: number | string | null;
  last_message_preview: string | null;
  last_authored_preview: string | null;
}

/** Canvas's participant tags (`course_5`, `group_9`): what `filter[]` and `audience_contexts` read. */
export interface ConversationParticipantTagsTable {
  user_id: number | string;
  conversation_id: number | string;
  tag: string;
}

export interface ConversationsDatabase {
  conversation_participant_tags: ConversationParticipantTagsTable;
  conversations: ConversationsTable;
  conversation_messages: ConversationMessagesTable;
  message_copies: MessageCopiesTable;
  conversation_participants: ConversationParticipantsTable;
}

export type Tx = Transaction<ConversationsDatabase>;

/**
 * The participant table's columns in the order the projection writes them. The type below
 * fails to compile if a column of `ConversationParticipantsTable` is missing here.
 */
export const PARTICIPANT_COLUMNS = [
  'user_id',
  'conversation_id',
  'workflow_state',
  'starred',
  'subscribed',
  'last_message_at',
  'last_message_id',
  'message_count',
  'last_authored_at',
  'visible_last_authored_at',
  'last_authored_message_id',
  'has_attachments',
  'has_media_objects',
  'updated_at',
  'subject',
  'is_private',
  'context_code',
  'last_message_author_id',
  'last_message_preview',
  'last_authored_preview',
] as const satisfies readonly (keyof ConversationParticipantsTable)[];

type Missing = Exclude<keyof ConversationParticipantsTable, (typeof PARTICIPANT_COLUMNS)[number]>;
// A compile error here names a column `PARTICIPANT_COLUMNS` lacks.
const everyColumnListed: Missing extends never ? true : Missing = true;
void everyColumnListed;
