import type { SchemalessDb, SchemalessTransaction } from '../schemaless';
import type { UserEvent } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';
import type { Projection } from '@missive/projections';
import type { Transaction } from 'kysely';
import { eraseUserRows } from './eraseUserRows';
import type { UsersDatabase } from './usersTables';

/** Directory of users and the hashes of their access tokens (authentication reads it). */
export const usersProjection: Projection = {
  name: 'users',
  version: 1,
  filter: { streamPrefixes: ['user-'] },

  async migrate(db: SchemalessDb) {
    await db.schema
      .createTable('users')
      .ifNotExists()
      .addColumn('id', 'bigint', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('short_name', 'text', (c) => c.notNull())
      .addColumn('sortable_name', 'text', (c) => c.notNull())
      .addColumn('login_id', 'text', (c) => c.notNull())
      .addColumn('site_admin', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('access_tokens')
      .ifNotExists()
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('token_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'bigint', (c) => c.notNull())
      .addColumn('hint', 'text', (c) => c.notNull())
      .addColumn('purpose', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text')
      .execute();
    await db.schema
      .createIndex('access_tokens_user_idx')
      .ifNotExists()
      .on('access_tokens')
      .columns(['user_id', 'created_at'])
      .execute();
    // Recipient search pages everyone (site admins) by sortable name from a keyset.
    await db.schema
      .createIndex('users_sortable_name_idx')
      .ifNotExists()
      .on('users')
      .columns(['sortable_name', 'id'])
      .execute();
  },

  async apply(events: readonly RecordedEvent[], trx: SchemalessTransaction) {
    const tx = trx as Transaction<UsersDatabase>;
    for (const event of events as readonly RecordedEvent<UserEvent['data']>[]) {
      const e = { type: event.type, data: event.data } as UserEvent;
      switch (e.type) {
        case 'UserRegistered':
          // Written once and never updated: UserNames caches name and short name for good.
          await tx
            .insertInto('users')
            .values({
              id: e.data.userId,
              name: e.data.name,
              short_name: e.data.shortName,
              sortable_name: e.data.sortableName,
              login_id: e.data.loginId,
              site_admin: e.data.siteAdmin ? 1 : 0,
              created_at: e.data.createdAt,
            })
            .execute();
          break;
        case 'AccessTokenIssued':
          await tx
            .insertInto('access_tokens')
            .values({
              token_hash: e.data.tokenHash,
              token_id: e.data.tokenId,
              user_id: e.data.userId,
              hint: e.data.hint,
              purpose: e.data.purpose,
              created_at: e.data.createdAt,
              expires_at: e.data.expiresAt,
            })
            .execute();
          break;
        case 'AccessTokenRevoked':
          // Deleting the row is what makes the token stop authenticating.
          await tx.deleteFrom('access_tokens').where('token_id', '=', e.data.tokenId).execute();
          break;
        case 'UserErased':
          await eraseUserRows(tx, e.data.userId);
          break;
      }
    }
  },
};
