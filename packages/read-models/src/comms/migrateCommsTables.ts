import type { SchemalessDb } from '../schemaless';
import { COMMS_COUNTERS } from './commsCounters';

/**
 * Creates the Comms read model's tables and indexes when missing: messages, their tags and
 * the tag counts the list uses to pick its rarest tag, operations with their counters.
 */
export async function migrateCommsTables(db: SchemalessDb): Promise<void> {
  await db.schema
    .createTable('comms_messages')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operation_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('to_channel', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('from_channel', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('text', 'text')
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('attempts', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('scheduled_for', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Each filter the list offers leads an index that ends in the keyset column.
  for (const column of ['operation_id', 'status', 'from_channel', 'profile_id', 'session_id']) {
    await db.schema
      .createIndex(`comms_messages_${column}_idx`)
      .ifNotExists()
      .on('comms_messages')
      .columns([column, 'id'])
      .execute();
  }
  await db.schema
    .createIndex('comms_messages_provider_message_id_idx')
    .ifNotExists()
    .on('comms_messages')
    .column('provider_message_id')
    .execute();
  await db.schema
    .createTable('comms_message_tags')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('comms_message_tags_pk', ['key', 'value', 'message_id'])
    .execute();
  await db.schema
    .createIndex('comms_message_tags_message_idx')
    .ifNotExists()
    .on('comms_message_tags')
    .column('message_id')
    .execute();
  await db.schema
    .createTable('comms_tag_counts')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('comms_tag_counts_pk', ['key', 'value'])
    .execute();
  let operations = db.schema
    .createTable('comms_operations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('scheduled_for', 'text')
    .addColumn('processed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull());
  for (const counter of COMMS_COUNTERS) {
    operations = operations.addColumn(counter, 'integer', (c) => c.notNull());
  }
  await operations.execute();
  await db.schema
    .createIndex('comms_operations_status_idx')
    .ifNotExists()
    .on('comms_operations')
    .columns(['status', 'id'])
    .execute();
  // No index on `expires_at`: SQLite, without statistics, would take it for the lists'
  // `expires_at > now` and sort every row; the hourly purge scans instead.
}
