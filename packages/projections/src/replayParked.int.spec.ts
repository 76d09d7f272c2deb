import { randomUUID } from 'node:crypto';
import { type EventData, SqliteEventStore } from '@missive/event-store';
import { type SqlDialectName } from './database';
import { ProjectionRunner } from './projectionRunner';
import { type ProjectionTables } from './projectionTables';
import { replayParked } from './replayParked';
import { type CounterEventData, counterProjection } from './testing/counterProjection';
import { readCounterTables } from './testing/counterSnapshot';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';
import type { Kysely } from 'kysely';

const dialects: SqlDialectName[] = ['sqlite', 'postgres'];

describe.each(dialects)('replayParked on %s', (dialect) => {
  let testDb: TestDatabase;
  let store: SqliteEventStore;

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
  });

  afterEach(async () => {
    await store.close();
    await testDb?.cleanup();
  });

  const incremented = (by: number): EventData<CounterEventData> => ({
    id: randomUUID(),
    type: 'Incremented',
    data: { by },
  });

  it('applies what now succeeds in log order, and keeps what still fails with its new error', async () => {
    // Streams whose events the projection rejects, and why: the "bug" the operator fixes.
    const broken = new Map([
      ['counter-a', 'bug 1'],
      ['counter-b', 'bug 1'],
    ]);
    const appliedOrder: string[] = [];
    const projection = counterProjection({
      afterLogRows: (events) => {
        for (const event of events) {
          const reason = broken.get(event.streamId);
          if (reason) throw new Error(`${reason} in ${event.streamId}`);
        }
        appliedOrder.push(...events.map((e) => `${e.streamId}@${e.revision}`));
      },
    });
    await store.append('counter-a', [incremented(1), incremented(2)]);
    await store.append('counter-b', [incremented(10)]);
    await store.append('counter-c', [incremented(100)]);
    await store.append('counter-a', [incremented(4)]);
    const runner = new ProjectionRunner({ store, db: testDb.db, projection });
    await runner.catchUp();
    expect((await runner.status()).parked).toBe(4);

    broken.set('counter-a', '');
    broken.set('counter-b', 'bug 2');
    appliedOrder.length = 0;
    const result = await replayParked({ store, db: testDb.db, projection });

    expect(result).toMatchObject({ name: 'counters', version: 1, applied: 3, failed: 1 });
    expect(result.events.map((e) => [e.streamId, e.revision, e.outcome])).toEqual([
      ['counter-a', 0, 'applied'],
      ['counter-a', 1, 'applied'],
      ['counter-b', 0, 'failed'],
      ['counter-a', 2, 'applied'],
    ]);
    expect(appliedOrder).toEqual(['counter-a@0', 'counter-a@1', 'counter-a@2']);
    const { counters } = await readCounterTables(testDb.db);
    expect(counters.map((c) => [c.stream_id, c.events, c.total])).toEqual([
      ['counter-a', 3, 7],
      ['counter-c', 1, 100],
    ]);
    const parked = await (testDb.db as Kysely<ProjectionTables>)
      .selectFrom('projection_parked')
      .selectAll()
      .execute();
    expect(parked.map((row) => [row.stream_id, Number(row.revision)])).toEqual([['counter-b', 0]]);
    expect(parked[0]!.error).toContain('bug 2 in counter-b');

    // Nothing left that succeeds: a second replay changes nothing.
    const again = await replayParked({ store, db: testDb.db, projection });
    expect(again).toMatchObject({ applied: 0, failed: 1 });
    expect((await runner.status()).parked).toBe(1);
  });
});
