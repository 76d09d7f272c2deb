import { sql, type RawBuilder } from 'kysely';

export type ConversationScope = 'inbox' | 'unread' | 'archived' | 'starred' | 'sent';

/**
 * Whether a participant row (`cp`) is listed in `scope`, besides `message_count > 0`: what the
 * list's SQL filters on, and what the kept scope totals are recounted by.
 */
export function scopeCondition(scope: ConversationScope): RawBuilder<unknown> {
  switch (scope) {
    case 'inbox':
      return sql`cp.last_message_at IS NOT NULL AND cp.workflow_state IN ('read', 'unread')`;
    case 'unread':
    case 'archived':
      return sql`cp.last_message_at IS NOT NULL AND cp.workflow_state = ${scope}`;
    case 'sent':
      return sql`cp.visible_last_authored_at IS NOT NULL`;
    case 'starred':
      return sql`cp.starred = 1`;
  }
}
