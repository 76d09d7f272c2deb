import type Database from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';

/** The better-sqlite3 connection behind a Kysely instance from `createDatabase`, once opened. */
interface SqliteHandle {
  database?: Database.Database;
  readonly statements: Map<string, Database.Statement>;
}

const MAX_STATEMENTS = 64;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const handles = new WeakMap<Kysely<any>, SqliteHandle>();

/** Called by `createDatabase`: lets `readRowsNow` find the connection of this instance. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerSqliteHandle(db: Kysely<any>): SqliteHandle {
  const handle: SqliteHandle = { statements: new Map() };
  handles.set(db, handle);
  return handle;
}

/**
 * Runs a read on the SQLite connection straight away, its rows as arrays in the order of the
 * SELECT list, for the hottest reads (a list page): no result objects built column by column,
 * no trip through Kysely's connection queue and its promises.
 *
 * Answers `undefined` when it must not or cannot, and the caller then runs the query through
 * Kysely: PostgreSQL, a transaction or plugin-wrapped instance (not the instance
 * `createDatabase` returned), a connection not opened yet, or a transaction open on it. The
 * last one matters: in one process the projectors write through the same connection, and a
 * read run now would see their uncommitted batch; Kysely's queue makes it wait for the commit.
 * better-sqlite3 runs the statement synchronously, so nothing else can begin in between.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readRowsNow(db: Kysely<any>, query: CompiledQuery): unknown[][] | undefined {
  const handle = handles.get(db);
  const database = handle?.database;
  if (!handle || !database || !database.open || database.inTransaction) return undefined;
  let statement = handle.statements.get(query.sql);
  if (!statement) {
    statement = database.prepare(query.sql);
    if (!statement.reader) throw new Error('readRowsNow runs reads only');
    statement.raw(true);
    if (handle.statements.size >= MAX_STATEMENTS) {
      const oldest = handle.statements.keys().next();
      if (!oldest.done) handle.statements.delete(oldest.value);
    }
    handle.statements.set(query.sql, statement);
  }
  return statement.all(query.parameters as unknown[]) as unknown[][];
}
