import { insertRows } from '@missive/projections';
import { compareIds } from './compareIds';
import type { Tx } from './conversationsTables';
import { idOf, listOf } from './eventIds';

const CONVERSATION_COLUMNS = ['id', 'subject', 'private_hash', 'context_code', 'created_at'];
const MESSAGE_COLUMNS = [
  'id',
  'conversation_id',
  'author_id',
  'body',
  'created_at',
  'generated',
  'attachment_ids',
  'media_comment',
  'forwarded_message_ids',
  'participating_user_ids',
];
const COPY_COLUMNS = ['user_id', 'conversation_id', 'message_id', 'created_at'];
const TAG_COLUMNS = ['user_id', 'conversation_id', 'tag'];
const TAG_INSERT = { onConflict: { columns: TAG_COLUMNS } };

/**
 * Rows in primary-key order (user, conversation, then message id or tag): a batch's inserts then
 * land on neighbouring B-tree pages instead of one page per row, which makes a large batch's
 * copies several times cheaper to insert and leaves fewer pages to write back.
 */
function byKey3(a: unknown[], b: unknown[]): number {
  return (
    compareIds(a[0] as string, b[0] as string) ||
    compareIds(a[1] as string, b[1] as string) ||
    compareIds(a[2] as string, b[2] as string)
  );
}

/** The rows a fold adds to the tables other than the participants', until it writes them. */
export class PendingInserts {
  readonly conversations: unknown[][] = [];
  readonly messages: unknown[][] = [];
  readonly copies: unknown[][] = [];
  /** Conversation → user → tags (the table's key), so a repeated tag costs no row. */
  readonly #tags = new Map<string, Map<string, Set<string>>>();

  tag(conversationId: string, tags: Record<string, readonly string[]>): void {
    let users = this.#tags.get(conversationId);
    if (!users) {
      users = new Map();
      this.#tags.set(conversationId, users);
    }
    for (const user in tags) {
      const userId = idOf(user);
      const list = listOf(tags[user], `tags of user ${user}`);
      let userTags = users.get(userId);
      if (!userTags) {
        userTags = new Set();
        users.set(userId, userTags);
      }
      for (const tag of list) userTags.add(tag);
    }
  }

  /** Writes what is pending, in primary-key order, and forgets it. */
  async write(tx: Tx): Promise<void> {
    await insertRows(tx, 'conversations', CONVERSATION_COLUMNS, this.conversations.splice(0));
    await insertRows(tx, 'conversation_messages', MESSAGE_COLUMNS, this.messages.splice(0));
    await insertRows(tx, 'message_copies', COPY_COLUMNS, this.copies.splice(0).sort(byKey3));
    const tags: string[][] = [];
    for (const [conversationId, users] of this.#tags) {
      for (const [userId, userTags] of users) {
        for (const tag of userTags) tags.push([userId, conversationId, tag]);
      }
    }
    tags.sort(byKey3);
    this.#tags.clear();
    await insertRows(tx, 'conversation_participant_tags', TAG_COLUMNS, tags, TAG_INSERT);
  }
}
