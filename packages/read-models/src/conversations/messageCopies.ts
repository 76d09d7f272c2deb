import { type RawBuilder, sql } from 'kysely';
import type { Tx } from './conversationsTables';
import { previewSql } from './messagePreview';
import type { ParticipantColumns } from './participantRows';

// A user's copies of a conversation's messages decide what their row counts and previews. The
// statements below read and change the copies a fold cannot see in memory (the conversation's
// whole history); what they make of them is set on the fold's rows.

/** Per-user counters recomputed from the copies the user still holds (after removals/joins). */
export function recomputed(userId: string, conversationId: string) {
  const human = (select: string | RawBuilder<unknown>, extra = sql``) =>
    sql`(SELECT ${typeof select === 'string' ? sql.raw(select) : select} FROM message_copies mc
      JOIN conversation_messages m ON m.id = mc.message_id
      WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId} AND m.generated = 0 ${extra}`;
  const newest = sql`ORDER BY m.created_at DESC, m.id DESC LIMIT 1)`;
  const authored = sql`AND m.author_id = ${userId}`;
  const preview = previewSql(sql`m.body`);
  return {
    message_count: sql<number>`${human('COUNT(*)')})`,
    last_message_id: sql<string | null>`${human('m.id')} ${newest}`,
    last_message_author_id: sql<string | null>`${human('m.author_id')} ${newest}`,
    last_message_preview: sql<string | null>`${human(preview)} ${newest}`,
    last_authored_message_id: sql<string | null>`${human('m.id', authored)} ${newest}`,
    last_authored_preview: sql<string | null>`${human(preview, authored)} ${newest}`,
    last_authored_at: sql<string | null>`${human('MAX(m.created_at)', authored)})`,
    visible_last_authored_at: sql<string | null>`${human('MAX(m.created_at)', authored)})`,
    has_attachments: sql<number>`CASE WHEN EXISTS ${human('1', sql`AND m.attachment_ids <> '[]'`)}) THEN 1 ELSE 0 END`,
    has_media_objects: sql<number>`CASE WHEN EXISTS ${human('1', sql`AND m.media_comment IS NOT NULL`)}) THEN 1 ELSE 0 END`,
  };
}

/** The newest human message a user holds a copy of: a joining participant's place. */
export function humanLastMessageAt(userId: string, conversationId: string) {
  return sql<string | null>`(SELECT MAX(m.created_at) FROM message_copies mc
    JOIN conversation_messages m ON m.id = mc.message_id
    WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId} AND m.generated = 0)`;
}

export type Recomputed = Pick<ParticipantColumns, keyof ReturnType<typeof recomputed>> &
  Pick<ParticipantColumns, 'last_message_at'>;

const TEXT_COLUMNS = new Set([
  'last_message_id',
  'last_message_author_id',
  'last_authored_message_id',
]);

/** The `recomputed` columns of a user's row, and the place a joining participant takes. */
export async function readRecomputed(
  tx: Tx,
  userId: string,
  conversationId: string,
): Promise<Recomputed> {
  const columns = Object.entries(recomputed(userId, conversationId)).map(([name, value]) =>
    TEXT_COLUMNS.has(name)
      ? sql`cast(${value} as text) as ${sql.ref(name)}`
      : sql`${value} as ${sql.ref(name)}`,
  );
  const { rows } = await sql<Recomputed>`select ${sql.join(columns)},
      ${humanLastMessageAt(userId, conversationId)} as last_message_at`.execute(tx);
  const row = rows[0]!;
  return {
    ...row,
    message_count: Number(row.message_count),
    has_attachments: Number(row.has_attachments),
    has_media_objects: Number(row.has_media_objects),
  };
}

/** add_recipients: the joining user gets a copy of every message of the conversation. */
export async function copyConversationMessages(
  tx: Tx,
  userId: string,
  conversationId: string,
): Promise<void> {
  await insertCopies(
    tx,
    copiesFor(tx, userId).where('conversation_id', '=', conversationId),
  ).execute();
}

/** included_messages: a copy of each forwarded message the user does not hold yet. */
export async function copyForwardedMessages(
  tx: Tx,
  userId: string,
  messageIds: readonly string[],
): Promise<void> {
  await insertCopies(tx, copiesFor(tx, userId).where('id', 'in', messageIds))
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id', 'message_id']).doNothing())
    .execute();
}

/** The user's copy of each message the caller's condition picks, as message_copies rows. */
function copiesFor(tx: Tx, userId: string) {
  return tx
    .selectFrom('conversation_messages')
    .select([
      sql<string>`CAST(${userId} AS bigint)`.as('user_id'),
      'conversation_id',
      'id',
      'created_at',
    ]);
}

function insertCopies(tx: Tx, copies: ReturnType<typeof copiesFor>) {
  return tx
    .insertInto('message_copies')
    .columns(['user_id', 'conversation_id', 'message_id', 'created_at'])
    .expression(copies);
}

/**
 * remove_messages: the user's copies of these messages go; when only generated messages are
 * left, they go too, and the row empties as DELETE would.
 */
export async function removeCopies(
  tx: Tx,
  userId: string,
  conversationId: string,
  messageIds: readonly string[],
): Promise<void> {
  await tx
    .deleteFrom('message_copies')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('message_id', 'in', messageIds)
    .execute();
  const humanLeft = sql<number>`(SELECT COUNT(*) FROM message_copies mc
    JOIN conversation_messages m ON m.id = mc.message_id
    WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId} AND m.generated = 0)`;
  await tx
    .deleteFrom('message_copies')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where(sql<boolean>`${humanLeft} = 0`)
    .execute();
}

/** DELETE: the user's copies and tags go, so audience_contexts answers `{}` afterwards. */
export async function removeView(tx: Tx, userId: string, conversationId: string): Promise<void> {
  await tx
    .deleteFrom('conversation_participant_tags')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .execute();
  await tx
    .deleteFrom('message_copies')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .execute();
}

/** The newest copy the user holds (generated ones too): where resubscribing catches up to. */
export async function newestCopyAt(
  tx: Tx,
  userId: string,
  conversationId: string,
): Promise<string | null> {
  const { rows } = await sql<{ newest: string | null }>`SELECT MAX(mc.created_at) AS newest
    FROM message_copies mc
    WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId}`.execute(tx);
  return rows[0]?.newest ?? null;
}
