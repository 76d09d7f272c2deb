import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase } from './database';
import { openTestDatabase } from './testing/testDatabase';
import { truncateSqliteWal } from './truncateSqliteWal';

/** Every byte of the database file, its WAL and shared memory. */
function bytesIn(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
}

describe('truncateSqliteWal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'truncate-wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves a deleted row in neither the file nor the WAL', async () => {
    const path = join(dir, 'read-models.db');
    const db = createDatabase(`sqlite:${path}`);
    try {
      const marker = `Marker${randomBytes(8).toString('hex')}`;
      await sql`create table t (v text)`.execute(db);
      await sql`insert into t values (${marker})`.execute(db);
      await sql`delete from t`.execute(db);
      // Deleted, and zeroed in the file by secure_delete: the WAL still holds the insert.
      expect(bytesIn(dir).includes(marker)).toBe(true);
      expect(await truncateSqliteWal(db)).toBe(true);
      expect(bytesIn(dir).includes(marker)).toBe(false);
      expect(statSync(`${path}-wal`).size).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('answers false while a reader holds an older snapshot, and true once it let go', async () => {
    const path = join(dir, 'read-models.db');
    // The default wait for another's lock: the checkpoint must not sit in it.
    const db = createDatabase(`sqlite:${path}`);
    const reader = new Database(path);
    try {
      await sql`create table t (v text)`.execute(db);
      await sql`insert into t values ('a')`.execute(db);
      reader.prepare('begin').run();
      reader.prepare('select count(*) from t').get();
      await sql`insert into t values ('b')`.execute(db);
      expect(await truncateSqliteWal(db, { attempts: 2, pauseMs: 1 })).toBe(false);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      reader.prepare('commit').run();
      expect(await truncateSqliteWal(db)).toBe(true);
      expect(statSync(`${path}-wal`).size).toBe(0);
      const { rows } = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(db);
      expect(rows[0]!.timeout).toBe(5000);
    } finally {
      reader.close();
      await db.destroy();
    }
  });

  it('does nothing on PostgreSQL, which has no WAL file of its own to cut', async () => {
    const pg = await openTestDatabase('postgres');
    try {
      expect(await truncateSqliteWal(pg.db)).toBe(true);
    } finally {
      await pg.cleanup();
    }
  });
});
