import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../database';

/** Which of `names` exist as tables (in the current schema on PostgreSQL). */
export async function existingTables(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const query =
    dialectOf(db) === 'postgres'
      ? sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_name in (${sql.join(names)})`
      : sql<{ name: string }>`select name from sqlite_schema
          where type = 'table' and name in (${sql.join(names)})`;
  const { rows } = await query.execute(db);
  return new Set(rows.map((row) => row.name));
}
