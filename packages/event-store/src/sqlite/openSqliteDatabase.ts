import Database from 'better-sqlite3';

export interface SqliteDatabaseOptions {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly walAutocheckpointPages: number;
}

/** Upper bound of the memory-mapped part of the event log file. */
export const SQLITE_LOG_MMAP_BYTES = 1024 ** 3;

/**
 * Opens (and if needed creates) the event log. Safe to call from several processes on the
 * same file at once: DDL is idempotent and WAL lets readers run beside the one writer.
 */
export function openSqliteDatabase(options: SqliteDatabaseOptions): Database.Database {
  const db = new Database(options.path);
  // Set before anything that may need a lock, so a concurrent opener waits instead of failing.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  if (options.path !== ':memory:') db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before its callers are answered; group commit pays for it.
  db.pragma('synchronous = FULL');
  // Checkpoints run inside a commit and rewrite every page dirtied since the last one; a
  // larger WAL lets hot index pages be copied once per checkpoint instead of many times.
  // 16 MB of page cache (default 2 MB) keeps the stream index's hot pages and recent log pages.
  db.pragma('cache_size = -16000');
  // Reads (catch-up pages, aggregate streams) map pages instead of copying each through a
  // read() call: the 100k-event rebuild's log read +7%, the rebuild itself 10-25% faster.
  // Writes and fsyncs are unchanged; the size is address space, not memory.
  if (options.path !== ':memory:') db.pragma(`mmap_size = ${SQLITE_LOG_MMAP_BYTES}`);
  db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(options.walAutocheckpointPages))}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position  INTEGER PRIMARY KEY,
      stream_id TEXT    NOT NULL,
      revision  INTEGER NOT NULL,
      event_id  TEXT    NOT NULL,
      event_key INTEGER NOT NULL,
      type      TEXT    NOT NULL,
      data      TEXT    NOT NULL,
      metadata  TEXT,
      created   INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream_id, revision);
    CREATE INDEX IF NOT EXISTS events_event_key ON events (event_key);
  `);
  return db;
}
