import type { SchemalessDb } from '../schemaless';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from './usersTables';

export interface UserRecord {
  id: string;
  name: string;
  shortName: string;
  sortableName: string;
  loginId: string;
  siteAdmin: boolean;
  createdAt: string;
}

function toRecord(row: UsersDatabase['users']): UserRecord {
  return {
    id: String(row.id),
    name: row.name,
    shortName: row.short_name,
    sortableName: row.sortable_name,
    loginId: row.login_id,
    siteAdmin: row.site_admin === 1,
    createdAt: row.created_at,
  };
}

export class UserQueries {
  private readonly db: Kysely<UsersDatabase>;

  constructor(db: SchemalessDb) {
    this.db = db as Kysely<UsersDatabase>;
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
    return rows.map(toRecord);
  }

  /** The user a still-valid token belongs to, looked up by the token's hash. */
  async findByTokenHash(tokenHash: string, now: Date): Promise<UserRecord | undefined> {
    const row = await this.db
      .selectFrom('access_tokens')
      .innerJoin('users', 'users.id', 'access_tokens.user_id')
      .selectAll('users')
      .select('access_tokens.expires_at')
      .where('access_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.expires_at && row.expires_at <= now.toISOString()) return undefined;
    return toRecord(row);
  }
}
