import { SqliteEventStore } from '@missive/event-store';
import type { Kysely } from 'kysely';
import { ProjectionRunner } from './projectionRunner';
import { appendCounterEvents } from './testing/appendCounterEvents';
import { counterProjection } from './testing/counterProjection';
import { seededRandom } from './testing/seededRandom';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';

describe('ProjectionRunner after the event store was switched under its read model', () => {
  let testDb: TestDatabase;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let db: Kysely<any>;
  const stores: SqliteEventStore[] = [];
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    testDb = await openTestDatabase('sqlite');
    db = testDb.db;
  });

  afterEach(async () => {
    await Promise.allSettled(runners.splice(0).map((runner) => runner.stop()));
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await testDb.cleanup();
  });

  function storeWith(events: number): Promise<SqliteEventStore> {
    const store = new SqliteEventStore({ path: ':memory:' });
    stores.push(store);
    return appendCounterEvents(store, { events, random: seededRandom(7) }).then(() => store);
  }

  it('fails with a clear message instead of retrying a checkpoint the new log does not have', async () => {
    const before = await storeWith(50);
    const first = new ProjectionRunner({ store: before, db, projection: counterProjection() });
    runners.push(first);
    await first.catchUp();
    await first.stop();
    const errors: string[] = [];
    const after = await storeWith(10);
    const second = new ProjectionRunner({
      store: after,
      db,
      projection: counterProjection(),
      pollIntervalMs: 5,
      logger: { info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    });
    runners.push(second);

    await second.start();
    while ((await second.status()).state !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect((await second.status()).lastError).toMatch(/UnknownPositionError/);
    expect(errors).toEqual([expect.stringMatching(/not a position of this event store/)]);
  });
});
