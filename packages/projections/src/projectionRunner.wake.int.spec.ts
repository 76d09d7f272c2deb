import { SqliteEventStore } from '@missive/event-store';
import { randomUUID } from 'node:crypto';
import { ProjectionRunner } from './projectionRunner';
import { counterProjection } from './testing/counterProjection';
import { openTestDatabase, type TestDatabase } from './testing/testDatabase';
import { waitForCheckpoint } from './waitForCheckpoint';

describe('ProjectionRunner.wake', () => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase('sqlite');
    // A poll interval far beyond the wait below: only wake() can make the checkpoint move.
    runner = new ProjectionRunner({
      store,
      db: testDb.db,
      projection: counterProjection(),
      pollIntervalMs: 600_000,
    });
    await runner.start();
    await store.append('counter-1', [{ id: randomUUID(), type: 'Incremented', data: { by: 1 } }]);
    await runner.catchUp();
  });

  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  it('applies a fresh append at once instead of waiting out the poll interval', async () => {
    const { position } = await store.append('counter-1', [
      { id: randomUUID(), type: 'Incremented', data: { by: 2 } },
    ]);
    runner.wake();
    expect(await waitForCheckpoint(testDb.db, runner.name, position, { timeoutMs: 10_000 })).toBe(
      true,
    );
  });

  it('does not lose a wake that arrives while a step is in flight', async () => {
    const { position } = await store.append('counter-1', [
      { id: randomUUID(), type: 'Incremented', data: { by: 3 } },
    ]);
    runner.wake();
    runner.wake();
    const later = await store.append('counter-1', [
      { id: randomUUID(), type: 'Incremented', data: { by: 4 } },
    ]);
    runner.wake();
    expect(await waitForCheckpoint(testDb.db, runner.name, position, { timeoutMs: 10_000 })).toBe(
      true,
    );
    expect(
      await waitForCheckpoint(testDb.db, runner.name, later.position, { timeoutMs: 10_000 }),
    ).toBe(true);
  });
});
