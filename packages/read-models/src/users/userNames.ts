import { sql, type Kysely } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { UsersDatabase } from './usersTables';

export interface UserName {
  readonly name: string;
  readonly shortName: string;
}

/**
 * Names and short names by user id, for the participants of every conversation a list page
 * shows. A users row is written once (UserRegistered) and never changed, so a name read is a
 * name for good: this keeps the last `maxEntries` used, sparing a page the twenty or so
 * index lookups of joining `users`. If an event ever renames users, this cache must follow.
 */
export class UserNames {
  private readonly db: Kysely<UsersDatabase>;
  private readonly cache = new Map<string, UserName>();

  constructor(
    db: SchemalessDb,
    private readonly maxEntries = 10_000,
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
      if (cached) found.set(id, cached);
      else if (!missing.includes(id)) missing.push(id);
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

  private remember(id: string, entry: UserName): void {
    if (this.cache.size >= this.maxEntries) {
      // Oldest first: Map iteration follows insertion order.
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(id, entry);
  }
}
