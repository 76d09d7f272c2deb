import { userInfo } from 'node:os';
import Database from 'better-sqlite3';
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
} from 'kysely';
import { Pool } from 'pg';
import { registerSqliteHandle } from './readRowsNow';
import { registerPostgresPool } from './readRowsPrepared';

export type SqlDialectName = 'sqlite' | 'postgres';

export interface CreateDatabaseOptions {
  /**
   * PostgreSQL only: schema put first on every connection's `search_path`, so one database can
   * hold isolated copies of the read model (parallel test runs, side-by-side experiments).
   */
  readonly schema?: string;
  /** PostgreSQL only: pool size. Default 10. */
  readonly poolSize?: number;
  /** SQLite only: how long to wait for another process's write lock. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens a read-model database from a URL: `sqlite:<path>` (`sqlite::memory:`,
 * `sqlite:///abs/path.db`) or `postgres://...` / `postgresql://...`, where `?schema=` picks an
 * existing schema as `options.schema` does (as the event store's URL picks its own). Close it
 * with `destroy()`.
 */
// Read models are schemaless from the runtime's point of view: each projection owns its tables.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createDatabase(url: string, options: CreateDatabaseOptions = {}): Kysely<any> {
  if (url.startsWith('sqlite:')) return createSqliteDatabase(sqlitePathOf(url), options);
  if (/^postgres(ql)?:\/\//.test(url)) return createPostgresDatabase(url, options);
  throw new Error(
    `unsupported read-model database URL ${JSON.stringify(url)}: expected sqlite:<path> or postgres://...`,
  );
}

/** Which SQL dialect a Kysely instance (or one of its transactions) speaks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): SqlDialectName {
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  if (adapter instanceof PostgresAdapter) return 'postgres';
  throw new Error(`unsupported Kysely dialect: ${adapter.constructor.name}`);
}

export function sqlitePathOf(url: string): string {
  let path = url.slice('sqlite:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new Error(`read-model database URL ${JSON.stringify(url)} names no file`);
  return path;
}

/** Upper bound of the memory-mapped part of a read-model file (virtual memory, not RSS). */
export const SQLITE_MMAP_BYTES = 1024 ** 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function createSqliteDatabase(path: string, options: CreateDatabaseOptions): Kysely<any> {
  const kysely = new Kysely({
    dialect: new SqliteDialect({
      database: async () => {
        const db = new Database(path);
        // The API process reads while the projector writes: waiting on the other's lock beats
        // failing with SQLITE_BUSY.
        db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
        // WAL: readers never block the projector's writer and see only committed batches.
        if (path !== ':memory:') db.pragma('journal_mode = WAL');
        // NORMAL (not FULL): a power loss may drop the last few commits, but WAL keeps the file
        // consistent and each batch commits rows together with its checkpoint, so what is lost
        // is a suffix that the projector simply replays from the event log on restart. The
        // read model is rebuildable; the event store is the durable copy.
        db.pragma('synchronous = NORMAL');
        // Read pages straight from the OS page cache instead of copying each one through a
        // read() call into SQLite's 2 MiB cache: the inbox list's six queries touch pages all
        // over a large file, and this cut a list request's SQLite time by a quarter
        // (BENCHMARKS.md). Writes still go through write(); the size is address space only.
        if (path !== ':memory:') db.pragma(`mmap_size = ${SQLITE_MMAP_BYTES}`);
        // Deleted or rewritten rows are zeroed where they lay, not left in free pages: an
        // erased user's data must be gone from the file (their WAL frames go at checkpoint).
        db.pragma('secure_delete = ON');
        handle.database = db;
        return withStatementCache(db);
      },
    }),
  });
  const handle = registerSqliteHandle(kysely);
  return kysely;
}

/**
 * Kysely prepares every statement anew; a projector repeats the same few (checkpoint CAS,
 * same-shaped batch inserts), and preparing a thousand-row INSERT costs about as much as
 * running it. A cached statement is safe to reuse: Kysely runs one query at a time on the
 * connection, and SQLite re-prepares it by itself after a schema change.
 */
function withStatementCache(db: Database.Database, size = 64): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (statement) {
        cache.delete(text);
      } else {
        statement = db.prepare(text);
        if (cache.size >= size) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
      }
      cache.set(text, statement);
      return statement;
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function createPostgresDatabase(url: string, options: CreateDatabaseOptions): Kysely<any> {
  const parsed = new URL(url);
  const schema = options.schema ?? (parsed.searchParams.get('schema') || undefined);
  // node-postgres would take an unknown parameter for a setting of its own and ignore it.
  parsed.searchParams.delete('schema');
  const pool = new Pool({
    connectionString: withDefaultUser(parsed.toString()),
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  });
  // An idle client whose server connection drops emits 'error'; unhandled, that would crash
  // the process. The pool discards that client and the next checkout opens a new one.
  pool.on('error', () => undefined);
  // A checked-out client (inside a transaction, between its statements) has no pool listener:
  // its connection ending then would crash the process too. The statement in progress or the
  // next one fails instead, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
  registerPostgresPool(kysely, pool);
  return kysely;
}

/**
 * libpq (psql) falls back to the OS user when the URL names none; node-postgres uses only
 * $PGUSER/$USER, which service managers and containers often leave unset.
 */
function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username || !parsed.host) return url;
  parsed.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return parsed.toString();
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
