import { PostgresEventStore, SqliteEventStore } from '@missive/event-store';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { ProjectionRunner } from './projectionRunner';
import { counterProjection } from './testing/counterProjection';
import { createDatabase } from './database';
import { PG_TEST_URL, openTestDatabase, type TestDatabase } from './testing/testDatabase';
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

describe('ProjectionRunner woken by the store', () => {
  const schema = `projections_wake_${process.pid}_${randomUUID().slice(0, 8)}`;
  let reader: PostgresEventStore;
  let writer: PostgresEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    // Two stores on one log stand for two processes: the writer's commits reach the reader
    // only through the database (NOTIFY, or a poll that never comes within the test).
    reader = new PostgresEventStore({ connectionString: PG_TEST_URL, schema });
    writer = new PostgresEventStore({ connectionString: PG_TEST_URL, schema });
    testDb = await openTestDatabase('sqlite');
    runner = new ProjectionRunner({
      store: reader,
      db: testDb.db,
      projection: counterProjection(),
      pollIntervalMs: 600_000,
    });
    await runner.start();
  });

  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await Promise.all([reader.close(), writer.close()]);
    const admin = createDatabase(PG_TEST_URL, { poolSize: 1 });
    try {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
    } finally {
      await admin.destroy();
    }
  });

  it('applies another process’s append when its NOTIFY arrives, without wake() or a poll', async () => {
    await writer.append('counter-1', [{ id: randomUUID(), type: 'Incremented', data: { by: 1 } }]);
    await runner.catchUp();
    // Nobody calls runner.wake(): the reader's LISTEN connection hears the writer's commit.
    const { position } = await writer.append('counter-1', [
      { id: randomUUID(), type: 'Incremented', data: { by: 2 } },
    ]);
    expect(await waitForCheckpoint(testDb.db, runner.name, position, { timeoutMs: 20_000 })).toBe(
      true,
    );
  });
});
