import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { listenOnReadModel, notifyReadModel } from './readModelNotifications';
import { openTestDatabase, type TestDatabase } from './testing/testDatabase';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('read-model notifications', () => {
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((d) => d.cleanup()));
  });

  it('hears a commit of its own schema once it commits, and says when it stops listening', async () => {
    // A channel of this test's own: the server is shared with other runs.
    const channel = `test_changed_${randomBytes(4).toString('hex')}`;
    const testDb = await openTestDatabase('postgres');
    const other = await openTestDatabase('postgres');
    databases.push(testDb, other);
    const events: string[] = [];
    const listener = listenOnReadModel(testDb.open(), channel, {
      notified: () => events.push('notified'),
      listening: (on) => events.push(on ? 'on' : 'off'),
    })!;
    try {
      await until(() => events.includes('on'));
      let inside: string[] = [];
      await testDb.db.transaction().execute(async (tx) => {
        await notifyReadModel(tx, channel);
        await new Promise((r) => setTimeout(r, 100));
        inside = [...events];
      });
      expect(inside).toEqual(['on']);
      await until(() => events.includes('notified'));
      // Another schema's read model in the same database is not heard.
      await notifyReadModel(other.db, channel);
      await notifyReadModel(testDb.db, channel);
      await until(() => events.filter((e) => e === 'notified').length === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toEqual(['on', 'notified', 'notified']);
      // Its connection ended by the server: it stops listening, then listens again.
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE query = ${`LISTEN "${channel}"`} AND pid <> pg_backend_pid()`.execute(testDb.db);
      await until(() => events.filter((e) => e === 'on').length === 2);
      expect(events.slice(3)).toEqual(['off', 'on']);
    } finally {
      await listener.close();
    }
    expect(events.at(-1)).toBe('off');
  });

  it('is PostgreSQL only: nothing to listen to or send on SQLite', async () => {
    const testDb = await openTestDatabase('sqlite');
    databases.push(testDb);
    const handlers = { notified: () => undefined, listening: () => undefined };
    expect(listenOnReadModel(testDb.db, 'test_changed', handlers)).toBeUndefined();
    await testDb.db.transaction().execute((tx) => notifyReadModel(tx, 'test_changed'));
  });
});
