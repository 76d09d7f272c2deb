import { type SqlDialectName } from './database';
import { insertRows } from './insertRows';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';

describe.each<SqlDialectName>(['sqlite', 'postgres'])('insertRows on %s', (dialect) => {
  let testDb: TestDatabase;

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
    await testDb.db.schema
      .createTable('totals')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('label', 'text')
      .addColumn('n', 'integer', (c) => c.notNull())
      .execute();
  });

  afterEach(async () => {
    await testDb?.cleanup();
  });

  async function contents(): Promise<Array<{ id: number; label: string | null; n: number }>> {
    const rows = await testDb.db.selectFrom('totals').selectAll().orderBy('id').execute();
    return rows.map((row) => ({ id: Number(row.id), label: row.label, n: Number(row.n) }));
  }

  it('inserts any number of rows, in chunks under the parameter limit', async () => {
    // 3 columns, at most 30 parameters: 10 rows per statement (and smaller shapes on SQLite).
    const rows = Array.from({ length: 1234 }, (_, i) => [i, `row ${i}`, i * 2]);
    await testDb.db.transaction().execute(async (tx) => {
      await insertRows(tx, 'totals', ['id', 'label', 'n'], rows, { maxParameters: 30 });
      await insertRows(tx, 'totals', ['id', 'label', 'n'], []);
    });
    expect(await contents()).toEqual(rows.map(([id, label, n]) => ({ id, label, n })));
  });

  it('upserts with SQL expressions, or skips conflicting rows', async () => {
    const upsert = {
      columns: ['id'],
      update: { n: 'totals.n + excluded.n', label: 'coalesce(excluded.label, totals.label)' },
    };
    await insertRows(
      testDb.db,
      'totals',
      ['id', 'label', 'n'],
      [
        [1, 'one', 1],
        [2, 'two', 2],
      ],
    );
    await insertRows(
      testDb.db,
      'totals',
      ['id', 'label', 'n'],
      [
        [2, null, 40],
        [3, 'three', 3],
      ],
      { onConflict: upsert },
    );
    await insertRows(testDb.db, 'totals', ['id', 'label', 'n'], [[1, 'ignored', 99]], {
      onConflict: { columns: ['id'] },
    });
    expect(await contents()).toEqual([
      { id: 1, label: 'one', n: 1 },
      { id: 2, label: 'two', n: 42 },
      { id: 3, label: 'three', n: 3 },
    ]);
  });

  it('stores every value exactly as given: quotes, braces, commas, backslashes, NULLs', async () => {
    const labels = [
      'plain',
      'with "double" and \'single\' quotes',
      '{braces}, commas, and \\ backslashes \\"',
      'NULL',
      '',
      null,
      'ünïcödé ✓ 𝄞',
      '  spaces  ',
    ];
    const rows = labels.map((label, i) => [i + 1, label, 10 - i]);
    await insertRows(testDb.db, 'totals', ['id', 'label', 'n'], rows);
    expect(await contents()).toEqual(rows.map(([id, label, n]) => ({ id, label, n })));
  });

  it('finds a table whose column types changed since an earlier insert', async () => {
    await insertRows(testDb.db, 'totals', ['id', 'label', 'n'], [[1, 'one', 1]]);
    await testDb.db.schema.dropTable('totals').execute();
    await testDb.db.schema
      .createTable('totals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('label', 'text')
      .addColumn('n', 'integer', (c) => c.notNull())
      .execute();
    const again = () => insertRows(testDb.db, 'totals', ['id', 'label', 'n'], [['a-1', 'x', 2]]);
    // PostgreSQL: the first attempt may use the old types and fail; the retry looks them up.
    await again().catch(again);
    const rows = await testDb.db.selectFrom('totals').selectAll().execute();
    expect(rows).toEqual([{ id: 'a-1', label: 'x', n: 2 }]);
  });

  it('rejects a row with the wrong number of values', async () => {
    await expect(insertRows(testDb.db, 'totals', ['id', 'n'], [[1, 2, 3]])).rejects.toThrow(
      'expected 2',
    );
  });
});
