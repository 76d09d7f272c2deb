import { createDatabase } from '@missive/projections';
import { sql } from 'kysely';
import { SqliteReadTuning } from './sqliteReadTuning';

describe('SqliteReadTuning', () => {
  it('gives the embedded read model a 64 MB page cache', async () => {
    const db = createDatabase('sqlite::memory:');
    try {
      await new SqliteReadTuning(db).onModuleInit();
      const { rows } = await sql.raw('PRAGMA cache_size').execute(db);
      expect(rows).toEqual([{ cache_size: -65536 }]);
    } finally {
      await db.destroy();
    }
  });
});
