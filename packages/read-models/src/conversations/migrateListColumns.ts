import { type Kysely, type RawBuilder, sql } from 'kysely';
import { previewSql } from './messagePreview';

/** The participant-row columns a list page reads instead of joining (`conversationsTables`). */
export const LIST_COLUMNS = [
  ['subject', 'text'],
  ['is_private', 'integer'],
  ['context_code', 'text'],
  ['last_message_author_id', 'bigint'],
  ['last_message_preview', 'text'],
  ['last_authored_preview', 'text'],
] as const;

/**
 * Adds the list's copied columns to a participants table created before them, and fills them
 * from the conversations and messages once. Runs inside `migrate`'s transaction: the probe
 * sits in a savepoint, since a failed statement would abort a PostgreSQL transaction.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateListColumns(db: Kysely<any>): Promise<void> {
  await sql`SAVEPOINT list_columns_probe`.execute(db);
  try {
    await sql`SELECT last_authored_preview FROM conversation_participants WHERE 1 = 0`.execute(db);
    await sql`RELEASE SAVEPOINT list_columns_probe`.execute(db);
    return;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT list_columns_probe`.execute(db);
    await sql`RELEASE SAVEPOINT list_columns_probe`.execute(db);
  }
  for (const [column, type] of LIST_COLUMNS) {
    await db.schema
      .alterTable('conversation_participants')
      .addColumn(column, type, (c) => (column === 'is_private' ? c.notNull().defaultTo(0) : c))
      .execute();
  }
  const conversation = (column: RawBuilder<unknown>) =>
    sql`(SELECT ${column} FROM conversations c
      WHERE c.id = conversation_participants.conversation_id)`;
  const message = (
    column: RawBuilder<unknown>,
    id: 'last_message_id' | 'last_authored_message_id',
  ) =>
    sql`(SELECT ${column} FROM conversation_messages m
      WHERE m.id = conversation_participants.${sql.raw(id)})`;
  const preview = previewSql(sql`m.body`);
  await sql`UPDATE conversation_participants SET
      subject = ${conversation(sql`c.subject`)},
      is_private = COALESCE(${conversation(sql`CASE WHEN c.private_hash IS NULL THEN 0 ELSE 1 END`)}, 0),
      context_code = ${conversation(sql`c.context_code`)},
      last_message_author_id = ${message(sql`m.author_id`, 'last_message_id')},
      last_message_preview = ${message(preview, 'last_message_id')},
      last_authored_preview = ${message(preview, 'last_authored_message_id')}`.execute(db);
}
