import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createDatabase, SQLITE_MMAP_BYTES } from '../database';
import { withSqliteRebuildPragmas } from './sqliteRebuildPragmas';

describe('withSqliteRebuildPragmas', () => {
  it('tunes the connection for bulk writes while the work runs, then restores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rebuild-pragmas-'));
    const db = createDatabase(`sqlite:${join(dir, 'read.db')}`);
    const pragmas = async () => {
      const value = async (name: string) =>
        Number(Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0]);
      return {
        cache: await value('cache_size'),
        checkpoint: await value('wal_autocheckpoint'),
        mmap: await value('mmap_size'),
      };
    };
    try {
      const before = await pragmas();
      expect(before.mmap).toBe(SQLITE_MMAP_BYTES);
      const during = await withSqliteRebuildPragmas(db, pragmas);
      expect(during).toEqual({ cache: -64 * 1024, checkpoint: 16_000, mmap: 0 });
      expect(await pragmas()).toEqual(before);
      // Restored when the work fails too.
      await expect(
        withSqliteRebuildPragmas(db, () => Promise.reject(new Error('boom'))),
      ).rejects.toThrow('boom');
      expect(await pragmas()).toEqual(before);
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
