import { SqliteEventStore, type RecordedEvent } from '@missive/event-store';
import { randomUUID } from 'node:crypto';
import { ProjectionRunner } from './projectionRunner';
import { readCheckpoint } from './projectionTables';
import { counterProjection } from './testing/counterProjection';
import { openTestDatabase, type TestDatabase } from './testing/testDatabase';

describe('ProjectionRunner onCommitted', () => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase('sqlite');
  });
  afterEach(async () => {
    await testDb.cleanup();
    await store.close();
  });

  const increment = (by: number) => ({ id: randomUUID(), type: 'Incremented', data: { by } });

  it('tells of each committed batch, with its events, after the checkpoint has moved', async () => {
    const seen: { ids: string[]; checkpoint: string }[] = [];
    const checks: Promise<void>[] = [];
    const runner = new ProjectionRunner({
      store,
      db: testDb.db,
      projection: counterProjection(),
      batchSize: 2,
      onCommitted: (events: readonly RecordedEvent[]) => {
        checks.push(
          readCheckpoint(testDb.db, 'counters', 1).then((stored) => {
            seen.push({
              ids: events.map((e) => e.id),
              checkpoint: stored?.position === 'start' ? 'start' : String(stored?.position.commit),
            });
          }),
        );
      },
    });
    const events = [increment(1), increment(2), increment(3)];
    await store.append('counter-1', events);
    await runner.catchUp();
    await Promise.all(checks);

    expect(seen).toEqual([
      { ids: [events[0]!.id, events[1]!.id], checkpoint: '2' },
      { ids: [events[2]!.id], checkpoint: '3' },
    ]);
  });

  it('is not called for batches that apply nothing', async () => {
    let calls = 0;
    const runner = new ProjectionRunner({
      store,
      db: testDb.db,
      projection: counterProjection(),
      onCommitted: () => {
        calls += 1;
      },
    });
    await store.append('other-1', [{ id: randomUUID(), type: 'Ignored', data: {} }]);
    await runner.catchUp();

    expect(calls).toBe(0);
  });
});
