import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { UserNames } from './userNames';
import { usersProjection } from './usersProjection';

describe.each(['sqlite', 'postgres'] as const)('UserNames on %s', (dialect) => {
  let testDb: TestDatabase;

  const insert = (id: string, name: string) =>
    testDb.db
      .insertInto('users')
      .values({
        id,
        name,
        short_name: name.split(' ')[0],
        sortable_name: name,
        login_id: id,
        site_admin: 0,
        created_at: '2026-01-01T00:00:00Z',
      })
      .execute();

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
    await usersProjection.migrate(testDb.db);
  });

  afterEach(() => testDb.cleanup());

  it('reads names once, leaves unknown ids out, and answers later asks from memory', async () => {
    await insert('1', 'Ann Lee');
    await insert('2', 'Ben Ray');
    const names = new UserNames(testDb.db);
    const first = await names.of(['1', '2', '1', '9']);
    expect([...first]).toEqual([
      ['1', { name: 'Ann Lee', shortName: 'Ann' }],
      ['2', { name: 'Ben Ray', shortName: 'Ben' }],
    ]);
    // A name read is kept for the cache's time; a user projected later is found.
    await testDb.db.deleteFrom('users').execute();
    await insert('9', 'Cy Day');
    const second = await names.of(['2', '9']);
    expect(second.get('2')).toEqual({ name: 'Ben Ray', shortName: 'Ben' });
    expect(second.get('9')).toEqual({ name: 'Cy Day', shortName: 'Cy' });
  });

  it('keeps at most maxEntries names', async () => {
    await insert('1', 'Ann Lee');
    await insert('2', 'Ben Ray');
    const names = new UserNames(testDb.db, 1);
    await names.of(['1']);
    await names.of(['2']); // forgets 1
    await testDb.db.deleteFrom('users').execute();
    expect((await names.of(['1', '2'])).has('1')).toBe(false);
    expect((await names.of(['2'])).has('2')).toBe(true);
  });

  it('reads again a name forgotten (an erasure) or kept past its time', async () => {
    await insert('1', 'Ann Lee');
    const names = new UserNames(testDb.db);
    await names.of(['1']);
    await testDb.db.updateTable('users').set({ name: 'Deleted user' }).execute();
    expect((await names.of(['1'])).get('1')?.name).toBe('Ann Lee');
    names.forget('1');
    expect((await names.of(['1'])).get('1')?.name).toBe('Deleted user');

    const shortLived = new UserNames(testDb.db, 10, 0);
    await shortLived.of(['1']);
    await testDb.db.updateTable('users').set({ name: 'Renamed' }).execute();
    expect((await shortLived.of(['1'])).get('1')?.name).toBe('Renamed');
  });
});
