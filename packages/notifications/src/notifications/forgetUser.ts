import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import type { SchemalessTransaction } from '@missive/read-models';
import { sql, type Transaction } from 'kysely';
import type { NotificationsDatabase } from './notificationsTables';

/**
 * The notifier's copies of an erased user: their names read as the placeholder (others'
 * notifications may still name them), the subjects of the conversations they started too, and
 * their channels are gone, so nothing more is sent to their addresses.
 */
export async function forgetUser(trx: SchemalessTransaction, userId: string): Promise<void> {
  const tx = trx as Transaction<NotificationsDatabase>;
  await tx
    .updateTable('notifier_users')
    .set({ name: ERASED_PLACEHOLDERS.name, short_name: ERASED_PLACEHOLDERS.name })
    .where('user_id', '=', userId)
    .execute();
  await tx.deleteFrom('notifier_channels').where('user_id', '=', userId).execute();
  // The subjects of conversations they started (started before starters were kept: unknown).
  await tx
    .updateTable('notifier_conversations')
    .set({
      subject: sql<
        string | null
      >`CASE WHEN subject IS NULL THEN NULL ELSE ${ERASED_PLACEHOLDERS.text} END`,
    })
    .where(
      'conversation_id',
      'in',
      tx
        .selectFrom('notifier_conversation_starters')
        .select('conversation_id')
        .where('user_id', '=', userId),
    )
    .execute();
}
