import { sql, type RawBuilder } from 'kysely';
import type { ConversationFilter } from './conversationViews';
import type { ConversationsDatabase } from './conversationsTables';
import { type ConversationScope, scopeCondition } from './scopeCondition';

/* The SQL of a list page, shared by both dialects' ways of reading it. */

/**
 * Canvas's `infer_scope` orders: this column descending, then
 * conversation_id descending, each backed by an index.
 */
export function scopeOrderKey(scope: ConversationScope): RawBuilder<unknown> {
  switch (scope) {
    case 'inbox':
    case 'unread':
    case 'archived':
      return sql`cp.last_message_at`;
    case 'sent':
      return sql`cp.visible_last_authored_at`;
    case 'starred':
      return sql`cp.updated_at`;
  }
}

/** `filter[]`: `user_N` is a participant; anything else is one of the viewer's tags. */
export function filterCondition(filter: ConversationFilter | undefined): RawBuilder<unknown> {
  if (!filter || filter.values.length === 0) return sql``;
  const conditions = filter.values.map((value) => {
    const user = /^user_(\d{1,16})$/.exec(value);
    if (user) {
      return sql`EXISTS (SELECT 1 FROM conversation_participants other
        WHERE other.conversation_id = cp.conversation_id AND other.user_id = ${user[1]!})`;
    }
    return sql`EXISTS (SELECT 1 FROM conversation_participant_tags t
      WHERE t.user_id = cp.user_id AND t.conversation_id = cp.conversation_id AND t.tag = ${value})`;
  });
  return sql`AND (${sql.join(conditions, filter.mode === 'and' ? sql` AND ` : sql` OR `)})`;
}

/** A user's rows in a scope: what the index lists, `message_count > 0` as Canvas requires. */
export function scopeRows(
  userId: string,
  scope: ConversationScope,
  filter: ConversationFilter | undefined,
): RawBuilder<unknown> {
  return sql`cp.user_id = ${userId} AND cp.message_count > 0 AND ${scopeCondition(scope)}
    ${filterCondition(filter)}`;
}

export type PageRow = Pick<
  ConversationsDatabase['conversation_participants'],
  | 'conversation_id'
  | 'workflow_state'
  | 'starred'
  | 'subscribed'
  | 'last_message_at'
  | 'last_message_id'
  | 'message_count'
  | 'last_authored_at'
  | 'last_authored_message_id'
  | 'has_attachments'
  | 'has_media_objects'
  | 'subject'
  | 'is_private'
  | 'context_code'
  | 'last_message_author_id'
  | 'last_message_preview'
  | 'last_authored_preview'
>;

/**
 * A list item's columns: all on its participant row, which holds copies of what it shows of
 * the conversation and of the two messages it previews, so a page joins nothing else.
 */
export const PAGE_COLUMNS = sql`cp.conversation_id, cp.workflow_state, cp.starred, cp.subscribed,
  cp.last_message_at, cp.last_message_id, cp.message_count, cp.last_authored_at,
  cp.last_authored_message_id, cp.has_attachments, cp.has_media_objects,
  cp.subject, cp.is_private, cp.context_code, cp.last_message_author_id,
  cp.last_message_preview, cp.last_authored_preview`;

/** How many columns `PAGE_COLUMNS` selects. */
export const PAGE_WIDTH = 17;

/** A `PAGE_COLUMNS` row read as an array (`readRowsNow`), in the same order. */
export function pageRowOf(v: unknown[]): PageRow {
  return {
    conversation_id: v[0] as PageRow['conversation_id'],
    workflow_state: v[1] as PageRow['workflow_state'],
    starred: v[2] as number,
    subscribed: v[3] as number,
    last_message_at: v[4] as string | null,
    last_message_id: v[5] as PageRow['last_message_id'],
    message_count: v[6] as number,
    last_authored_at: v[7] as string | null,
    last_authored_message_id: v[8] as PageRow['last_authored_message_id'],
    has_attachments: v[9] as number,
    has_media_objects: v[10] as number,
    subject: v[11] as string | null,
    is_private: v[12] as number,
    context_code: v[13] as string | null,
    last_message_author_id: v[14] as PageRow['last_message_author_id'],
    last_message_preview: v[15] as string | null,
    last_authored_preview: v[16] as string | null,
  };
}
