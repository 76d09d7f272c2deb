import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import { sql } from 'kysely';
import type { Tx } from './conversationsTables';
import { messagePreview } from './messagePreview';

const TEXT = ERASED_PLACEHOLDERS.text;
const PREVIEW = messagePreview(TEXT);
/** A copy of an erased text reads as the placeholder; an absent one stays absent. */
const erased = (column: string) =>
  sql<string | null>`CASE WHEN ${sql.ref(column)} IS NULL THEN NULL ELSE ${TEXT} END`;

/**
 * What an erased user wrote reads as the placeholder, as the log now does: the bodies of
 * their messages, the subjects of the conversations they started, and every copy of those on
 * participant rows (subjects, previews). The conversations stay for the other participants.
 */
export async function eraseAuthorText(tx: Tx, userId: string): Promise<void> {
  await tx
    .updateTable('conversation_messages')
    .set({ body: TEXT })
    .where('author_id', '=', userId)
    .execute();
  // The starter of a conversation wrote its first message, in the same append.
  const started = sql<boolean>`(SELECT m.author_id FROM conversation_messages m
    WHERE m.conversation_id = conversations.id
    ORDER BY m.created_at, m.id LIMIT 1) = ${userId}`;
  const startedIds = tx.selectFrom('conversations').select('id').where(started);
  await tx
    .updateTable('conversations')
    .set({ subject: erased('subject') })
    .where(started)
    .execute();
  await tx
    .updateTable('conversation_participants')
    .set({ subject: erased('subject') })
    .where('conversation_id', 'in', startedIds)
    .execute();
  await tx
    .updateTable('conversation_participants')
    .set({ last_message_preview: PREVIEW })
    .where('last_message_author_id', '=', userId)
    .where('last_message_preview', 'is not', null)
    .execute();
  await tx
    .updateTable('conversation_participants')
    .set({ last_authored_preview: PREVIEW })
    .where('user_id', '=', userId)
    .where('last_authored_preview', 'is not', null)
    .execute();
}
