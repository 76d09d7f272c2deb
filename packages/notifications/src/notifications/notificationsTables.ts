import type { SchemalessDb } from '@missive/read-models';

/**
 * The notifications process manager's own view of the log: who is called what, who can be
 * reached where, what each conversation is about and who muted it. Written in the same
 * transaction that moves its checkpoint, so at event position P it is exactly what the log up
 * to P says, on the first run and on every replay.
 */
export interface NotifierUsersTable {
  user_id: string;
  name: string;
  short_name: string;
}

export interface NotifierChannelsTable {
  channel_id: string;
  user_id: string;
  type: string;
  address: string;
  /** The lower-cased address: whether an address bounces does not depend on case. */
  address_key: string;
  workflow_state: string;
  bounce_count: number;
}

export interface NotifierConversationsTable {
  conversation_id: string;
  subject: string | null;
  context_code: string | null;
}

/** Participants who unsubscribed from a conversation (Canvas notifies subscribers only). */
export interface NotifierUnsubscribedTable {
  conversation_id: string;
  user_id: string;
}

/** Who started each conversation: an erasure of the starter rewrites the kept subject. */
export interface NotifierConversationStartersTable {
  conversation_id: string;
  user_id: string;
}

export interface NotificationsDatabase {
  notifier_conversation_starters: NotifierConversationStartersTable;
  notifier_users: NotifierUsersTable;
  notifier_channels: NotifierChannelsTable;
  notifier_conversations: NotifierConversationsTable;
  notifier_unsubscribed: NotifierUnsubscribedTable;
}

export async function migrateNotificationsTables(db: SchemalessDb): Promise<void> {
  await db.schema
    .createTable('notifier_users')
    .ifNotExists()
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notifier_channels')
    .ifNotExists()
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('address_key', 'text', (c) => c.notNull())
    .addColumn('workflow_state', 'text', (c) => c.notNull())
    .addColumn('bounce_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notifier_channels_user_idx')
    .ifNotExists()
    .on('notifier_channels')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex('notifier_channels_address_idx')
    .ifNotExists()
    .on('notifier_channels')
    .column('address_key')
    .execute();
  await db.schema
    .createTable('notifier_conversations')
    .ifNotExists()
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text')
    .addColumn('context_code', 'text')
    .execute();
  await db.schema
    .createTable('notifier_conversation_starters')
    .ifNotExists()
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notifier_conversation_starters_user_idx')
    .ifNotExists()
    .on('notifier_conversation_starters')
    .column('user_id')
    .execute();
  await db.schema
    .createTable('notifier_unsubscribed')
    .ifNotExists()
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('notifier_unsubscribed_pk', ['conversation_id', 'user_id'])
    .execute();
}
