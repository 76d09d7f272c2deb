import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { ConversationEvent, ConversationStarted, MessageAdded } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import { sql, type Transaction } from 'kysely';
import type { ConversationsDatabase } from './conversationsTables';

type Tx = Transaction<ConversationsDatabase>;

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
      data.participantIds.map((userId) => ({
        user_id: userId,
        conversation_id: data.conversationId,
        workflow_state: 'read' as const,
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
        updated_at: data.createdAt,
      })),
    )
    .execute();
}

/** Applies Canvas's `update_participants` rules (specs/canvas-api.md §1.7). */
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

  const human = data.generated ? 0 : 1;
  const attachments = data.attachmentIds.length > 0 ? 1 : 0;
  const media = data.mediaComment ? 1 : 0;
  const common = {
    message_count: sql<number>`message_count + ${human}`,
    last_message_id: data.generated ? sql<string>`last_message_id` : data.messageId,
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

export const conversationsProjection: Projection = {
  name: 'conversations',
  version: 1,
  filter: { streamPrefixes: ['conversation-'] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('conversations')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('subject', 'text')
      .addColumn('private_hash', 'text')
      .addColumn('context_code', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('conversation_messages')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('conversation_id', 'bigint', (c) => c.notNull())
      .addColumn('author_id', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('generated', 'integer', (c) => c.notNull())
      .addColumn('attachment_ids', 'text', (c) => c.notNull())
      .addColumn('media_comment', 'text')
      .addColumn('forwarded_message_ids', 'text', (c) => c.notNull())
      .addColumn('participating_user_ids', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('message_copies')
      .ifNotExists()
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('conversation_id', 'bigint', (c) => c.notNull())
      .addColumn('message_id', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('message_copies_pk', ['user_id', 'conversation_id', 'message_id'])
      .execute();
    await db.schema
      .createTable('conversation_participants')
      .ifNotExists()
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('conversation_id', 'bigint', (c) => c.notNull())
      .addColumn('workflow_state', 'text', (c) => c.notNull())
      .addColumn('starred', 'integer', (c) => c.notNull())
      .addColumn('subscribed', 'integer', (c) => c.notNull())
      .addColumn('last_message_at', 'text')
      .addColumn('last_message_id', 'bigint')
      .addColumn('message_count', 'integer', (c) => c.notNull())
      .addColumn('last_authored_at', 'text')
      .addColumn('visible_last_authored_at', 'text')
      .addColumn('last_authored_message_id', 'bigint')
      .addColumn('has_attachments', 'integer', (c) => c.notNull())
      .addColumn('has_media_objects', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_participants_pk', ['user_id', 'conversation_id'])
      .execute();
    // The default inbox order: last_message_at DESC, conversation_id DESC, per user.
    await db.schema
      .createIndex('conversation_participants_inbox_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns(['user_id', 'last_message_at desc', 'conversation_id desc'])
      .execute();
    await db.schema
      .createIndex('conversation_participants_conversation_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns(['conversation_id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Tx;
    for (const event of events) {
      const e = { type: event.type, data: event.data } as ConversationEvent;
      switch (e.type) {
        case 'ConversationStarted':
          await conversationStarted(tx, e);
          break;
        case 'MessageAdded':
          await messageAdded(tx, e);
          break;
      }
    }
  },
};
