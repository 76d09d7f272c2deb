import type { SchemalessDb } from '../schemaless';
import { sql, type Kysely } from 'kysely';
import { readRows } from '../readRows';
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

export interface AccessTokenRecord {
  id: string;
  userId: string;
  hint: string;
  purpose: string | null;
  createdAt: string;
  expiresAt: string | null;
}

function toToken(row: UsersDatabase['access_tokens']): AccessTokenRecord {
  return {
    id: row.token_id,
    userId: String(row.user_id),
    hint: row.hint,
    purpose: row.purpose,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

type TokenUserRow = UsersDatabase['users'] & { expires_at: string | null };

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

  /**
   * The user a still-valid token belongs to, looked up by the token's hash. Every request
   * runs it, so it is SQL text (Kysely's builder cost four times the query itself), prepared
   * once per connection on PostgreSQL.
   */
  async findByTokenHash(tokenHash: string, now: Date): Promise<UserRecord | undefined> {
    const rows = await readRows(
      this.db,
      sql<TokenUserRow>`SELECT u.id, u.name, u.short_name, u.sortable_name, u.login_id,
          u.site_admin, u.created_at, t.expires_at
        FROM access_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = ${tokenHash}`,
      (v) => ({
        id: v[0] as TokenUserRow['id'],
        name: v[1] as string,
        short_name: v[2] as string,
        sortable_name: v[3] as string,
        login_id: v[4] as string,
        site_admin: v[5] as number,
        created_at: v[6] as string,
        expires_at: v[7] as string | null,
      }),
      { prepared: true },
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.expires_at && row.expires_at <= now.toISOString()) return undefined;
    return toRecord(row);
  }

  /** A user's live tokens, oldest first, one page at a time, with the total. */
  async tokens(userId: string, { limit, offset }: { limit: number; offset: number }) {
    const [rows, total] = await Promise.all([
      this.db
        .selectFrom('access_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('token_id')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.db
        .selectFrom('access_tokens')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toToken), total: Number(total.n) };
  }

  async token(userId: string, tokenId: string): Promise<AccessTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('token_id', '=', tokenId)
      .executeTakeFirst();
    return row && toToken(row);
  }
}
