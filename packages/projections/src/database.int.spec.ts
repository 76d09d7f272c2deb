import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, dialectOf, SQLITE_MMAP_BYTES, sqlitePathOf } from './database';
import { openTestDatabase, PG_TEST_URL } from './testing/testDatabase';

describe('createDatabase', () => {
  it('reads the SQLite path from the URL forms', () => {
    expect(sqlitePathOf('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePathOf('sqlite:data/read.db')).toBe('data/read.db');
    expect(sqlitePathOf('sqlite:/var/lib/missive/read.db')).toBe('/var/lib/missive/read.db');
    expect(sqlitePathOf('sqlite:///var/lib/missive/read.db')).toBe('/var/lib/missive/read.db');
    expect(() => sqlitePathOf('sqlite:')).toThrow('names no file');
    expect(() => createDatabase('mysql://localhost/x')).toThrow('unsupported');
  });

  it('opens a SQLite file in WAL mode with synchronous=NORMAL, memory-mapped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'projections-db-'));
    const db = createDatabase(`sqlite:${join(dir, 'read.db')}`);
    try {
      expect(dialectOf(db)).toBe('sqlite');
      const pragma = async (name: string): Promise<unknown> =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(await pragma('mmap_size')).toBe(SQLITE_MMAP_BYTES);
      await db.transaction().execute(async (tx) => expect(dialectOf(tx)).toBe('sqlite'));
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('isolates PostgreSQL connections in the requested schema', async () => {
    const testDb = await openTestDatabase('postgres');
    try {
      expect(dialectOf(testDb.db)).toBe('postgres');
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        testDb.db,
      );
      expect(rows[0]!.schema).toMatch(/^projections_test_/);
      await sql`create table isolated (id integer)`.execute(testDb.db);
      await sql`select * from isolated`.execute(testDb.open());
      // The URL's `?schema=` (READ_MODEL_URL) reaches the same tables.
      const url = new URL(PG_TEST_URL);
      url.searchParams.set('schema', rows[0]!.schema);
      const byUrl = createDatabase(url.toString(), { poolSize: 1 });
      try {
        const { rows: found } = await sql<{
          schema: string;
        }>`select current_schema() as schema`.execute(byUrl);
        expect(found[0]!.schema).toBe(rows[0]!.schema);
        await sql`select * from isolated`.execute(byUrl);
      } finally {
        await byUrl.destroy();
      }
    } finally {
      await testDb.cleanup();
    }
  });
});
