import { sql, type Kysely } from 'kysely';
import { dialectOf } from './database';

export interface TruncateSqliteWalOptions {
  /** Checkpoints tried while a reader holds one back. Default 20. */
  readonly attempts?: number;
  /** Pause between two of them. Default 50 ms. */
  readonly pauseMs?: number;
}

/**
 * SQLite: moves every committed page of the WAL into the database file and cuts the WAL to
 * nothing. Rows deleted or rewritten under `secure_delete` are zeroed in the file, but their
 * old pages stay in the WAL's frames until this runs (SQLite's own checkpoints copy the frames
 * and leave the WAL file's bytes). A reader on an older snapshot holds the checkpoint back
 * (`busy`): it is tried again after a pause (about a second in all, by default). Resolves
 * false if the WAL could not be emptied, true once it was; true at once on PostgreSQL.
 */
export async function truncateSqliteWal(
  // Any database: only a pragma is run.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  options: TruncateSqliteWalOptions = {},
): Promise<boolean> {
  if (dialectOf(db) !== 'sqlite') return true;
  const attempts = options.attempts ?? 20;
  // Checkpointing calls the busy handler while readers hold old snapshots, blocking writers
  // meanwhile: each attempt gives up at once instead, and the pause between them lets go.
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(conn);
    const timeout = Number(rows[0]?.timeout ?? 0);
    await sql`PRAGMA busy_timeout = 0`.execute(conn);
    try {
      for (let attempt = 0; attempt < attempts; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, options.pauseMs ?? 50));
        const checkpoint = await sql<{ busy: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(
          conn,
        );
        if (!checkpoint.rows[0]?.busy) return true;
      }
      return false;
    } finally {
      await sql`PRAGMA busy_timeout = ${sql.raw(String(timeout))}`.execute(conn);
    }
  });
}
