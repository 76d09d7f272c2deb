import { CompiledQuery, sql } from 'kysely';
import { readRowsNow } from './readRowsNow';
import { openTestDatabase, type TestDatabase } from './testing/testDatabase';

describe('readRowsNow', () => {
  let testDb: TestDatabase;

  afterEach(() => testDb.cleanup());

  async function withRow(dialect: 'sqlite' | 'postgres') {
    testDb = await openTestDatabase(dialect);
    await sql`create table items (id integer primary key, name text)`.execute(testDb.db);
    await sql`insert into items (id, name) values (1, 'one')`.execute(testDb.db);
  }

  const names = sql<{ name: string }>`select id, name from items order by id`;

  it('reads a SQLite database at once, rows as arrays in SELECT order', async () => {
    await withRow('sqlite');
    expect(readRowsNow(testDb.db, names.compile(testDb.db))).toEqual([[1, 'one']]);
    expect(() =>
      readRowsNow(testDb.db, CompiledQuery.raw(`insert into items (id, name) values (2, 'two')`)),
    ).toThrow('reads only');
  });

  it('declines while a transaction holds the connection, so uncommitted rows stay unseen', async () => {
    await withRow('sqlite');
    const query = names.compile(testDb.db);
    const during: unknown[] = [];
    const rollBack = new Error('roll back');
    await expect(
      testDb.db.transaction().execute(async (tx) => {
        await sql`insert into items (id, name) values (2, 'two')`.execute(tx);
        during.push(readRowsNow(testDb.db, query), readRowsNow(tx, query));
        throw rollBack;
      }),
    ).rejects.toBe(rollBack);
    expect(during).toEqual([undefined, undefined]);
    expect(readRowsNow(testDb.db, query)).toEqual([[1, 'one']]);
  });

  it('declines an instance it did not open: another plugin chain, or PostgreSQL', async () => {
    await withRow('sqlite');
    const wrapped = testDb.db.withoutPlugins();
    expect(readRowsNow(wrapped, names.compile(wrapped))).toBeUndefined();
    await testDb.cleanup();
    await withRow('postgres');
    expect(readRowsNow(testDb.db, names.compile(testDb.db))).toBeUndefined();
  });

  it('declines a SQLite instance before its connection is opened, and after it is closed', async () => {
    testDb = await openTestDatabase('sqlite');
    const fresh = testDb.open();
    const query = CompiledQuery.raw('select 1');
    expect(readRowsNow(fresh, query)).toBeUndefined();
    await sql`select 1`.execute(fresh);
    expect(readRowsNow(fresh, query)).toEqual([[1]]);
    await fresh.destroy();
    expect(readRowsNow(fresh, query)).toBeUndefined();
  });
});
