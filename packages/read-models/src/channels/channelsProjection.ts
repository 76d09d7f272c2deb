import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { ChannelEvent, UserErased } from '@missive/domain';
import { USER_STREAMS } from '../erasure/userErasures';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import { sql, type Transaction } from 'kysely';
import type { ChannelsDatabase } from './channelsTables';

/** Each user's communication channels, as the Canvas list and lookups need them. */
/**
 * A table created before `last_bounce_summary` gets the column (empty until the next bounce).
 * The probe runs in a savepoint, since a failed statement would abort a PostgreSQL transaction.
 */
async function addBounceSummary(db: SchemalessDb): Promise<void> {
  await sql`SAVEPOINT bounce_summary_probe`.execute(db);
  try {
    await sql`SELECT last_bounce_summary FROM communication_channels WHERE 1 = 0`.execute(db);
    await sql`RELEASE SAVEPOINT bounce_summary_probe`.execute(db);
    return;
  } catch {
    await sql`ROLLBACK TO SAVEPOINT bounce_summary_probe`.execute(db);
    await sql`RELEASE SAVEPOINT bounce_summary_probe`.execute(db);
  }
  await db.schema
    .alterTable('communication_channels')
    .addColumn('last_bounce_summary', 'text')
    .execute();
}

export const channelsProjection: Projection = {
  name: 'channels',
  version: 1,
  // `user-` for UserErased: an erased user's channels (their addresses) are deleted.
  filter: { streamPrefixes: ['channel-', USER_STREAMS] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('communication_channels')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('address_key', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('workflow_state', 'text', (c) => c.notNull())
      .addColumn('bounce_count', 'integer', (c) => c.notNull())
      .addColumn('last_bounce_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_bounce_summary', 'text')
      .execute();
    await addBounceSummary(db);
    await db.schema
      .createIndex('communication_channels_user_position_idx')
      .ifNotExists()
      .on('communication_channels')
      .columns(['user_id', 'position', 'id'])
      .execute();
    await db.schema
      .createIndex('communication_channels_user_address_idx')
      .ifNotExists()
      .on('communication_channels')
      .columns(['user_id', 'type', 'address_key'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<ChannelsDatabase>;
    for (const event of events) {
      if (event.streamId.startsWith(USER_STREAMS)) {
        if (event.type === 'UserErased') {
          const { userId } = event.data as UserErased['data'];
          await tx.deleteFrom('communication_channels').where('user_id', '=', userId).execute();
        }
        continue;
      }
      const e = { type: event.type, data: event.data } as ChannelEvent;
      const row = (id: string) => tx.updateTable('communication_channels').where('id', '=', id);
      switch (e.type) {
        case 'ChannelAdded':
          await tx
            .insertInto('communication_channels')
            .values({
              id: e.data.channelId,
              user_id: e.data.userId,
              type: e.data.type,
              address: e.data.address,
              address_key: e.data.address.toLowerCase(),
              position: e.data.position,
              workflow_state: e.data.workflowState,
              bounce_count: 0,
              last_bounce_at: null,
              last_bounce_summary: null,
              created_at: e.data.createdAt,
            })
            .execute();
          break;
        case 'ChannelRevived':
          await row(e.data.channelId)
            .set({
              workflow_state: e.data.workflowState,
              bounce_count: 0,
              last_bounce_at: null,
              last_bounce_summary: null,
            })
            .execute();
          break;
        case 'ChannelConfirmed':
          await row(e.data.channelId).set({ workflow_state: 'active' }).execute();
          break;
        case 'ChannelRemoved':
          await row(e.data.channelId).set({ workflow_state: 'retired' }).execute();
          break;
        case 'ChannelBounced':
          await row(e.data.channelId)
            .set({
              bounce_count: e.data.bounceCount,
              last_bounce_at: e.data.lastBounceAt,
              last_bounce_summary: e.data.summary ?? null,
            })
            .execute();
          break;
        case 'ChannelBounceReset':
          await row(e.data.channelId).set({ bounce_count: 0 }).execute();
          break;
      }
    }
  },
};
