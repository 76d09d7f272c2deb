import { createHash } from 'node:crypto';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Pool } from 'pg';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const pools = new WeakMap<Kysely<any>, Pool>();
/** Statement names by SQL text, so that a hot read hashes its text once. */
const names = new Map<string, string>();
const MAX_NAMES = 256;

/** Called by `createDatabase`: lets `readRowsPrepared` find the pool of this instance. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerPostgresPool(db: Kysely<any>, pool: Pool): void {
  pools.set(db, pool);
}

function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `missive_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    if (names.size >= MAX_NAMES) names.delete(names.keys().next().value!);
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a read on PostgreSQL as a named prepared statement, its rows as arrays in the order of
 * the SELECT list, for the hottest reads (every request's token, a list page). Each connection
 * parses the text once, and after a few runs the server keeps one generic plan for it:
 * planning a list page's statement cost the server as much as running it (0.3–0.5 ms).
 *
 * Only for statements whose text is one of a few (parameters vary, the text does not): each
 * text stays prepared on every connection of the pool for the connection's life. Answers
 * `undefined` when `db` is not the PostgreSQL instance `createDatabase` returned (SQLite, a
 * transaction, a plugin-wrapped instance such as a rebuild's shadow tables): the caller then
 * runs the query through Kysely.
 */
export function readRowsPrepared(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  query: CompiledQuery,
): Promise<unknown[][]> | undefined {
  const pool = pools.get(db);
  if (!pool) return undefined;
  return pool
    .query<unknown[]>({
      name: statementName(query.sql),
      text: query.sql,
      values: query.parameters as unknown[],
      rowMode: 'array',
    })
    .then((result) => result.rows);
}
