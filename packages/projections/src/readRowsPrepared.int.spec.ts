import { sql } from 'kysely';
import { readRowsPrepared } from './readRowsPrepared';
import { openTestDatabase, type TestDatabase } from './testing/testDatabase';

describe('readRowsPrepared', () => {
  let testDb: TestDatabase;

  afterEach(() => testDb.cleanup());

  async function withRows(dialect: 'sqlite' | 'postgres') {
    testDb = await openTestDatabase(dialect);
    await sql`create table items (id bigint primary key, name text)`.execute(testDb.db);
    await sql`insert into items (id, name) values (1, 'one'), (2, 'two')`.execute(testDb.db);
  }

  const named = (id: number) => sql`select id, name from items where id = ${id}`;

  it('reads PostgreSQL through a statement each connection prepares once, rows as arrays', async () => {
    await withRows('postgres');
    const db = testDb.db;
    expect(await readRowsPrepared(db, named(1).compile(db))).toEqual([['1', 'one']]);
    expect(await readRowsPrepared(db, named(2).compile(db))).toEqual([['2', 'two']]);
    // Every connection that ran it holds it, under one name, with the text as written.
    const prepared = await Promise.all(
      Array.from({ length: 4 }, () =>
        readRowsPrepared(db, sql`select name, statement from pg_prepared_statements`.compile(db)),
      ),
    );
    const held = prepared
      .flatMap((rows) => rows!)
      .filter(([, text]) => /from items/.test(String(text)));
    expect(held.length).toBeGreaterThan(0);
    expect(new Set(held.map(([name]) => name)).size).toBe(1);
    expect(held[0]![0]).toMatch(/^missive_[0-9a-f]{32}$/);
  });

  it('declines what createDatabase did not open as PostgreSQL: SQLite, a transaction, a plugin chain', async () => {
    await withRows('postgres');
    await testDb.db.transaction().execute(async (tx) => {
      expect(readRowsPrepared(tx, named(1).compile(tx))).toBeUndefined();
    });
    const wrapped = testDb.db.withoutPlugins();
    expect(readRowsPrepared(wrapped, named(1).compile(wrapped))).toBeUndefined();
    await testDb.cleanup();
    await withRows('sqlite');
    expect(readRowsPrepared(testDb.db, named(1).compile(testDb.db))).toBeUndefined();
  });
});
