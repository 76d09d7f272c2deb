import type {
  ConversationEvent,
  ConversationStarted,
  MessageAdded,
  ParticipantViewEvent,
  RecipientsAdded,
} from '@missive/domain';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { ConversationsDatabase, WorkflowState } from '../conversationsTables';

// Deliberately self-contained (its own copies of the recomputing subqueries): a mistake in
// the fold's helpers must not be repeated here, where it would go unnoticed.
import { messagePreview, previewSql } from '../messagePreview';

export type Tx = Transaction<ConversationsDatabase>;

/** What every participant row copies from its conversation (see `conversationsTables`). */
export interface ConversationColumns {
  subject: string | null;
  is_private: number;
  context_code: string | null;
}

/** A conversation the read model has no row for: what the subqueries below give for it. */
export const UNKNOWN_CONVERSATION: ConversationColumns = {
  subject: null,
  is_private: 0,
  context_code: null,
};

export function conversationColumnsOf(
  data: Pick<ConversationStarted['data'], 'subject' | 'privateHash' | 'contextCode'>,
): ConversationColumns {
  return {
    subject: data.subject ?? null,
    is_private: data.privateHash == null ? 0 : 1,
    context_code: data.contextCode ?? null,
  };
}

/** A participant row as it starts: nothing delivered yet, subscribed, not starred. */
export function newParticipantRow(
  conversationId: string,
  userId: string,
  workflowState: WorkflowState,
  at: string,
  conversation: ConversationColumns,
) {
  return {
    user_id: userId,
    conversation_id: conversationId,
    workflow_state: workflowState,
    starred: 0,
    subscribed: 1,
    last_message_at: null,
    last_message_id: null,
    message_count: 0,
    last_authored_at: null,
    visible_last_authored_at: null,
    last_authored_message_id: null,
    has_attachments: 0,
    has_media_objects: 0,
    updated_at: at,
    subject: conversation.subject,
    is_private: conversation.is_private,
    context_code: conversation.context_code,
    last_message_author_id: null,
    last_message_preview: null,
    last_authored_preview: null,
  };
}

async function conversationStarted(tx: Tx, { data }: ConversationStarted): Promise<void> {
  await tx
    .insertInto('conversations')
    .values({
      id: data.conversationId,
      subject: data.subject,
      private_hash: data.privateHash,
      context_code: data.contextCode,
      created_at: data.createdAt,
    })
    .execute();
  await tx
    .insertInto('conversation_participants')
    .values(
      data.participantIds.map((userId) =>
        newParticipantRow(
          data.conversationId,
          userId,
          'read',
          data.createdAt,
          conversationColumnsOf(data),
        ),
      ),
    )
    .execute();
}

/** Canvas's `update_participants` rules: who a new message moves, and how. */
async function messageAdded(tx: Tx, { data }: MessageAdded): Promise<void> {
  const at = data.createdAt;
  await tx
    .insertInto('conversation_messages')
    .values({
      id: data.messageId,
      conversation_id: data.conversationId,
      author_id: data.authorId,
      body: data.body,
      created_at: at,
      generated: data.generated ? 1 : 0,
      attachment_ids: JSON.stringify(data.attachmentIds),
      media_comment: data.mediaComment ? JSON.stringify(data.mediaComment) : null,
      forwarded_message_ids: JSON.stringify(data.forwardedMessageIds),
      participating_user_ids: JSON.stringify(data.recipientIds),
    })
    .execute();
  await tx
    .insertInto('message_copies')
    .values(
      data.recipientIds.map((userId) => ({
        user_id: userId,
        conversation_id: data.conversationId,
        message_id: data.messageId,
        created_at: at,
      })),
    )
    .execute();

  const tagRows = Object.entries(data.tags ?? {}).flatMap(([userId, tags]) =>
    tags.map((tag) => ({ user_id: userId, conversation_id: data.conversationId, tag })),
  );
  if (tagRows.length > 0) {
    await tx
      .insertInto('conversation_participant_tags')
      .values(tagRows)
      .onConflict((oc) => oc.columns(['user_id', 'conversation_id', 'tag']).doNothing())
      .execute();
  }

  // Generated messages ("X was added...") count toward nothing and move no row.
  if (data.generated) return;
  const human = 1;
  const attachments = data.attachmentIds.length > 0 ? 1 : 0;
  const media = data.mediaComment ? 1 : 0;
  const common = {
    message_count: sql<number>`message_count + ${human}`,
    last_message_id: data.messageId,
    last_message_author_id: data.authorId,
    last_message_preview: messagePreview(data.body),
    has_attachments: sql<number>`CASE WHEN ${attachments} = 1 THEN 1 ELSE has_attachments END`,
    has_media_objects: sql<number>`CASE WHEN ${media} = 1 THEN 1 ELSE has_media_objects END`,
    updated_at: at,
  };

  // The author: only a reply (not the create path) moves the row and un-archives it.
  await tx
    .updateTable('conversation_participants')
    .set({
      ...common,
      last_authored_at: at,
      visible_last_authored_at: at,
      last_authored_message_id: data.messageId,
      last_authored_preview: messagePreview(data.body),
      ...(data.updateForSender
        ? {
            last_message_at: at,
            workflow_state: sql<'read'>`CASE WHEN workflow_state = 'archived' THEN 'read' ELSE workflow_state END`,
          }
        : {}),
    })
    .where('conversation_id', '=', data.conversationId)
    .where('user_id', '=', data.authorId)
    .execute();

  // Other recipients: new or subscribed rows move up and turn unread; unsubscribed rows that
  // already have a last_message_at keep their place and state.
  const others = data.recipientIds.filter((id) => id !== data.authorId);
  if (others.length === 0) return;
  const moves = sql<boolean>`(last_message_at IS NULL OR subscribed = 1)`;
  await tx
    .updateTable('conversation_participants')
    .set({
      ...common,
      last_message_at: sql<string>`CASE WHEN ${moves} THEN ${at} ELSE last_message_at END`,
      workflow_state: sql<'unread'>`CASE WHEN ${moves} THEN 'unread' ELSE workflow_state END`,
    })
    .where('conversation_id', '=', data.conversationId)
    .where('user_id', 'in', others)
    .execute();
}

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

/** add_recipients: the joining user gets a copy of every message of the conversation. */
export async function copyConversationMessages(
  tx: Tx,
  userId: string,
  conversationId: string,
): Promise<void> {
  await tx
    .insertInto('message_copies')
    .columns(['user_id', 'conversation_id', 'message_id', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('conversation_messages')
        .select([
          sql<string>`CAST(${userId} AS bigint)`.as('user_id'),
          'conversation_id',
          'id',
          'created_at',
        ])
        .where('conversation_id', '=', conversationId),
    )
    .execute();
}

/** included_messages: a copy of each forwarded message the user does not hold yet. */
export async function copyForwardedMessages(
  tx: Tx,
  userId: string,
  messageIds: readonly string[],
): Promise<void> {
  await tx
    .insertInto('message_copies')
    .columns(['user_id', 'conversation_id', 'message_id', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('conversation_messages')
        .select([
          sql<string>`CAST(${userId} AS bigint)`.as('user_id'),
          'conversation_id',
          'id',
          'created_at',
        ])
        .where('id', 'in', messageIds),
    )
    .onConflict((oc) => oc.columns(['user_id', 'conversation_id', 'message_id']).doNothing())
    .execute();
}

/** New participants: unread, with copies of every earlier message unless joined silently. */
async function recipientsAdded(tx: Tx, { data }: RecipientsAdded): Promise<void> {
  const conversation = (column: RawBuilder<unknown>) =>
    sql<string | null>`(SELECT ${column} FROM conversations WHERE id = ${data.conversationId})`;
  for (const userId of data.userIds) {
    await tx
      .insertInto('conversation_participants')
      .values({
        ...newParticipantRow(data.conversationId, userId, 'unread', data.at, UNKNOWN_CONVERSATION),
        subject: conversation(sql`subject`),
        is_private: sql<number>`COALESCE(${conversation(
          sql`CASE WHEN private_hash IS NULL THEN 0 ELSE 1 END`,
        )}, 0)`,
        context_code: conversation(sql`context_code`),
      })
      .execute();
    // Joined silently through add_message: no earlier messages, only what comes next.
    if (!data.withHistory) continue;
    await copyConversationMessages(tx, userId, data.conversationId);
    await tx
      .updateTable('conversation_participants')
      .set({
        ...recomputed(userId, data.conversationId),
        last_message_at: humanLastMessageAt(userId, data.conversationId),
      })
      .where('conversation_id', '=', data.conversationId)
      .where('user_id', '=', userId)
      .execute();
  }
}

/**
 * included_messages: recipients who lack a forwarded message get a copy of it,
 * and their counters are recomputed from the copies they now hold.
 */
async function forwardedCopies(tx: Tx, { data }: MessageAdded): Promise<void> {
  for (const userId of data.recipientIds) {
    await copyForwardedMessages(tx, userId, data.forwardedMessageIds);
    const { message_count, has_attachments, has_media_objects } = recomputed(
      userId,
      data.conversationId,
    );
    await tx
      .updateTable('conversation_participants')
      .set({ message_count, has_attachments, has_media_objects })
      .where('conversation_id', '=', data.conversationId)
      .where('user_id', '=', userId)
      .execute();
  }
}

/** A participant's own actions on their row. */
async function participantViewChanged(tx: Tx, e: ParticipantViewEvent): Promise<void> {
  const { conversationId, userId, at } = e.data;
  const row = tx
    .updateTable('conversation_participants')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId);
  switch (e.type) {
    case 'ConversationMarkedAsRead':
      await row.set({ workflow_state: 'read', updated_at: at }).execute();
      return;
    case 'ConversationMarkedAsUnread':
      await row.set({ workflow_state: 'unread', updated_at: at }).execute();
      return;
    case 'ConversationArchived':
      await row.set({ workflow_state: 'archived', updated_at: at }).execute();
      return;
    case 'ConversationStarred':
      await row.set({ starred: 1, updated_at: at }).execute();
      return;
    case 'ConversationUnstarred':
      await row.set({ starred: 0, updated_at: at }).execute();
      return;
    case 'ConversationUnsubscribed':
      // Unsubscribing turns unread into read.
      await row
        .set({
          subscribed: 0,
          workflow_state: sql<'read'>`CASE WHEN workflow_state = 'unread' THEN 'read' ELSE workflow_state END`,
          updated_at: at,
        })
        .execute();
      return;
    case 'ConversationSubscribed': {
      // Resubscribing catches up: last_message_at moves to the newest message this user holds,
      // and the row turns unread if that is newer than what they had seen.
      const newest = sql<string | null>`(SELECT MAX(mc.created_at) FROM message_copies mc
        WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId})`;
      await row
        .set({
          subscribed: 1,
          workflow_state: sql<'unread'>`CASE WHEN last_message_at IS NOT NULL AND ${newest} > last_message_at
            THEN 'unread' ELSE workflow_state END`,
          last_message_at: sql<
            string | null
          >`CASE WHEN last_message_at IS NULL THEN last_message_at ELSE ${newest} END`,
          updated_at: at,
        })
        .execute();
      return;
    }
    case 'MessagesRemoved': {
      await tx
        .deleteFrom('message_copies')
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where('message_id', 'in', e.data.messageIds)
        .execute();
      const humanLeft = sql<number>`(SELECT COUNT(*) FROM message_copies mc
        JOIN conversation_messages m ON m.id = mc.message_id
        WHERE mc.user_id = ${userId} AND mc.conversation_id = ${conversationId} AND m.generated = 0)`;
      // Only generated messages left: they go too, and the row empties as DELETE would.
      await tx
        .deleteFrom('message_copies')
        .where('conversation_id', '=', conversationId)
        .where('user_id', '=', userId)
        .where(sql<boolean>`${humanLeft} = 0`)
        .execute();
      await row
        .set({
          ...recomputed(userId, conversationId),
          last_message_at: sql<
            string | null
          >`CASE WHEN ${humanLeft} = 0 THEN NULL ELSE last_message_at END`,
          updated_at: at,
        })
        .execute();
      return;
    }
    case 'ConversationViewDeleted':
      // DELETE clears the tags too, so audience_contexts answers `{}`.
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
      await row
        .set({
          workflow_state: 'read',
          starred: 0,
          last_message_at: null,
          last_message_id: null,
          last_message_author_id: null,
          last_message_preview: null,
          message_count: 0,
          last_authored_at: null,
          visible_last_authored_at: null,
          last_authored_message_id: null,
          last_authored_preview: null,
          has_attachments: 0,
          has_media_objects: 0,
          updated_at: at,
        })
        .execute();
      return;
  }
}

/**
 * One event as its own statements: the reference semantics of the conversations read model,
 * written the plain way, one UPDATE per rule. Tests only: the projection writes through the
 * fold (`applyConversationBatch`), which the tests hold to the rows these statements give.
 */
export async function applyConversationEvent(
  tx: Tx,
  e: ConversationEvent | ParticipantViewEvent,
): Promise<void> {
  switch (e.type) {
    case 'ConversationStarted':
      await conversationStarted(tx, e);
      return;
    case 'MessageAdded':
      await messageAdded(tx, e);
      if (e.data.forwardedMessageIds.length > 0) await forwardedCopies(tx, e);
      return;
    case 'RecipientsAdded':
      await recipientsAdded(tx, e);
      return;
    default:
      await participantViewChanged(tx, e);
  }
}
