import { CompiledQuery, type Kysely } from 'kysely';

const MAX_CACHED_TABLES = 256;
const typesByTable = new Map<string, ReadonlyMap<string, string>>();

/**
 * Each column's SQL type (`bigint`, `character varying(255)`, ...) of a table as the
 * connection's search path finds it, for casting `unnest` arrays. Cached by table name: every
 * schema Missive creates a table in gets it from the same `migrate`. A statement that fails
 * over a type calls `forgetPostgresColumnTypes`, so a table whose types changed since (a
 * rebuilt new version) is looked up again when the runner retries.
 */
export async function postgresColumnTypes(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
): Promise<ReadonlyMap<string, string>> {
  const cached = typesByTable.get(table);
  if (cached) return cached;
  const { rows } = await db.executeQuery<{ name: string; type: string }>(
    CompiledQuery.raw(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
       from pg_attribute a
       where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped`,
      [`"${table.replace(/"/g, '""')}"`],
    ),
  );
  const types = new Map(rows.map((row) => [row.name, row.type]));
  // A missing table is not cached: the insert reports it, and a later call may find it.
  if (types.size === 0) return types;
  if (typesByTable.size >= MAX_CACHED_TABLES) {
    const oldest = typesByTable.keys().next();
    if (!oldest.done) typesByTable.delete(oldest.value);
  }
  typesByTable.set(table, types);
  return types;
}

export function forgetPostgresColumnTypes(table: string): void {
  typesByTable.delete(table);
}
