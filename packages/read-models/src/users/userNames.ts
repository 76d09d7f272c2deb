import { sql, type Kysely } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { UsersDatabase } from './usersTables';

export interface UserName {
  readonly name: string;
  readonly shortName: string;
}

/**
 * Names and short names by user id, for the participants of every conversation a list page
 * shows. A users row changes only when its user is erased (the names become placeholders),
 * so this keeps the last `maxEntries` used for `ttlMs`, sparing a page the twenty or so
 * index lookups of joining `users`: an erased name leaves every list within that time.
 */
export class UserNames {
  private readonly db: Kysely<UsersDatabase>;
  private readonly cache = new Map<string, UserName & { readonly until: number }>();

  constructor(
    db: SchemalessDb,
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 60_000,
  ) {
    this.db = db as Kysely<UsersDatabase>;
  }

  /** The names of those of `ids` that have a users row (unknown ids are left out). */
  async of(ids: Iterable<string>): Promise<Map<string, UserName>> {
    const found = new Map<string, UserName>();
    const missing: string[] = [];
    for (const id of ids) {
      if (found.has(id)) continue;
      const cached = this.cache.get(id);
      if (cached && cached.until > Date.now()) {
        found.set(id, { name: cached.name, shortName: cached.shortName });
      } else if (!missing.includes(id)) missing.push(id);
    }
    if (missing.length === 0) return found;
    const { rows } = await sql<{ id: number | string; name: string; short_name: string }>`
      SELECT id, name, short_name FROM users WHERE id IN (${sql.join(missing)})`.execute(this.db);
    for (const row of rows) {
      const entry = { name: row.name, shortName: row.short_name };
      found.set(String(row.id), entry);
      this.remember(String(row.id), entry);
    }
    return found;
  }

  /** Drops a cached name at once (this process just erased the user). */
  forget(id: string): void {
    this.cache.delete(id);
  }

  private remember(id: string, entry: UserName): void {
    this.cache.delete(id);
    if (this.cache.size >= this.maxEntries) {
      // Oldest first: Map iteration follows insertion order.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(id, { ...entry, until: Date.now() + this.ttlMs });
  }
}
