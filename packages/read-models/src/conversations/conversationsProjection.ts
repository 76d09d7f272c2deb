import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { ConversationEvent, ParticipantViewEvent } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import { applyConversationBatch } from './applyConversationBatch';
import type { Tx } from './conversationsTables';
import { eraseAuthorText } from './eraseAuthorText';
import { applyAroundErasures, USER_STREAMS } from '../erasure/userErasures';
import { migrateListColumns } from './migrateListColumns';
import { migrateScopeCounts } from './scopeCounts';

type Event = ConversationEvent | ParticipantViewEvent;

export const conversationsProjection: Projection = {
  name: 'conversations',
  version: 1,
  // `user-` for UserErased: what the erased user wrote reads as the placeholder.
  filter: { streamPrefixes: ['conversation-', 'participant-', USER_STREAMS] },

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
    // A conversation's messages: what add_recipients copies to a new participant. Without it
    // each such join scans every message of every conversation, which made rebuilding a large
    // log quadratic.
    await db.schema
      .createIndex('conversation_messages_conversation_idx')
      .ifNotExists()
      .on('conversation_messages')
      .columns(['conversation_id', 'id'])
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
      .addColumn('subject', 'text')
      .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('context_code', 'text')
      .addColumn('last_message_author_id', 'bigint')
      .addColumn('last_message_preview', 'text')
      .addColumn('last_authored_preview', 'text')
      .addPrimaryKeyConstraint('conversation_participants_pk', ['user_id', 'conversation_id'])
      .execute();
    await migrateListColumns(db);
    await db.schema
      .createTable('conversation_participant_tags')
      .ifNotExists()
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('conversation_id', 'bigint', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('conversation_participant_tags_pk', [
        'user_id',
        'conversation_id',
        'tag',
      ])
      .execute();
    // filter[]=course_5: this user's conversations carrying a tag.
    await db.schema
      .createIndex('conversation_participant_tags_filter_idx')
      .ifNotExists()
      .on('conversation_participant_tags')
      .columns(['user_id', 'tag', 'conversation_id'])
      .execute();
    // Each list order has an index that also holds the columns its scope filters on, so
    // counting a scope (for Canvas's `last` link) and skipping a page's offset read the
    // index alone, never the rows: a 10,000-conversation inbox counts in about half a
    // millisecond instead of several. They replace the narrower indexes of the first schema.
    for (const replaced of [
      'conversation_participants_inbox_idx',
      'conversation_participants_sent_idx',
      'conversation_participants_starred_idx',
      'conversation_participants_conversation_idx',
    ]) {
      await db.schema.dropIndex(replaced).ifExists().execute();
    }
    // inbox, unread, archived: last_message_at DESC, conversation_id DESC.
    await db.schema
      .createIndex('conversation_participants_inbox_cover_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns([
        'user_id',
        'last_message_at desc',
        'conversation_id desc',
        'workflow_state',
        'message_count',
      ])
      .execute();
    // scope=sent: visible_last_authored_at DESC, conversation_id DESC.
    await db.schema
      .createIndex('conversation_participants_sent_cover_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns([
        'user_id',
        'visible_last_authored_at desc',
        'conversation_id desc',
        'message_count',
      ])
      .execute();
    // scope=starred: updated_at DESC, conversation_id DESC among starred rows.
    await db.schema
      .createIndex('conversation_participants_starred_cover_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns(['user_id', 'starred', 'updated_at desc', 'conversation_id desc', 'message_count'])
      .execute();
    // A page's participants, and filter[]=user_N.
    await db.schema
      .createIndex('conversation_participants_conversation_cover_idx')
      .ifNotExists()
      .on('conversation_participants')
      .columns(['conversation_id', 'user_id', 'last_authored_at'])
      .execute();
    await migrateScopeCounts(db);
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Tx;
    await applyAroundErasures(
      events,
      (chunk) =>
        applyConversationBatch(
          tx,
          chunk.map((event) => ({ type: event.type, data: event.data }) as Event),
        ),
      (userId) => eraseAuthorText(tx, userId),
      { onlyErasures: true },
    );
  },
};
