import { readRowsNow, readRowsPrepared } from '@missive/projections';
import type { Kysely, RawBuilder } from 'kysely';

/**
 * A read on a hot path (every request's token, a list page): straight on the SQLite connection
 * when `readRowsNow` can (rows as arrays, turned into objects by `fromArray`, which costs far
 * less than better-sqlite3 building them); on PostgreSQL, with `prepared`, as a named prepared
 * statement (`readRowsPrepared`: for a statement whose text is one of a few); otherwise through
 * Kysely. `fromArray` takes the columns in the order the query selects them.
 */
export async function readRows<T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  query: RawBuilder<T>,
  fromArray: (values: unknown[]) => T,
  { prepared = false }: { prepared?: boolean } = {},
): Promise<T[]> {
  const compiled = query.compile(db);
  const now = readRowsNow(db, compiled);
  if (now) return now.map(fromArray);
  const pending = prepared ? readRowsPrepared(db, compiled) : undefined;
  if (pending) return (await pending).map(fromArray);
  return (await db.executeQuery(compiled)).rows;
}
