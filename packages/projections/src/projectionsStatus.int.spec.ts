import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '@missive/event-store';
import { type SqlDialectName } from './database';
import { ProjectionRunner } from './projectionRunner';
import { projectionsStatus } from './projectionsStatus';
import { RebuildInterruptedError, rebuildProjection } from './rebuild/rebuildProjection';
import { appendCounterEvents } from './testing/appendCounterEvents';
import { counterProjection } from './testing/counterProjection';
import { seededRandom } from './testing/seededRandom';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';

const dialects: SqlDialectName[] = ['sqlite', 'postgres'];

describe.each(dialects)('projectionsStatus on %s', (dialect) => {
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

  it('answers before anything ran', async () => {
    const statuses = await projectionsStatus({
      store,
      db: testDb.db,
      projections: [counterProjection()],
    });
    expect(statuses).toEqual([
      {
        name: 'counters',
        kind: 'read-model',
        version: 1,
        checkpoint: 'start',
        head: 'start',
        lag: 0,
        parked: 0,
        state: 'not-started',
      },
    ]);
  });

  it('reports checkpoint, head, lag, parked, state and a rebuild in progress', async () => {
    await appendCounterEvents(store, { events: 300, random: seededRandom(1) });
    await store.append('counter-x', [
      { id: randomUUID(), type: 'Incremented', data: { by: 1, poison: true } },
    ]);
    const counters = counterProjection();
    const manager = {
      ...counterProjection({ name: 'mailer', prefix: 'm_' }),
      kind: 'process-manager' as const,
    };
    await new ProjectionRunner({ store, db: testDb.db, projection: counters }).catchUp();
    await new ProjectionRunner({ store, db: testDb.db, projection: manager }).catchUp();
    await new ProjectionRunner({
      store,
      db: testDb.db,
      projection: counterProjection({ name: 'retired', prefix: 'r_' }),
    }).catchUp();
    const caughtUp = await store.headPosition();
    await appendCounterEvents(store, { events: 50, random: seededRandom(2) });
    const head = await store.headPosition();
    // A rebuild of v2 that was stopped half-way.
    const abort = new AbortController();
    await expect(
      rebuildProjection({
        store,
        db: testDb.db,
        projection: counterProjection({ version: 2 }),
        batchSize: 20,
        signal: abort.signal,
        onProgress: (p) => {
          if (p.events >= 100) abort.abort();
        },
      }),
    ).rejects.toBeInstanceOf(RebuildInterruptedError);

    const statuses = await projectionsStatus({
      store,
      db: testDb.db,
      projections: [counterProjection({ version: 2 }), manager, counterProjection({ name: 'new' })],
    });
    const [lagging, pm, fresh, stranger] = statuses;
    expect(statuses).toHaveLength(4);
    expect(lagging).toMatchObject({
      name: 'counters',
      kind: 'read-model',
      version: 2,
      storedVersion: 1,
      checkpoint: caughtUp,
      head,
      lag: 50,
      parked: 1,
      state: 'outdated',
      rebuild: { version: 2, parked: 0 },
    });
    expect(lagging!.rebuild!.lag).toBeGreaterThan(0);
    expect(lagging!.rebuild!.lag).toBeLessThan(351 - 100 + 20);
    expect(pm).toMatchObject({
      name: 'mailer',
      kind: 'process-manager',
      lag: 50,
      state: 'catching-up',
    });
    expect(fresh).toMatchObject({ name: 'new', state: 'not-started', lag: 351 });
    expect(stranger).toMatchObject({
      name: 'retired',
      kind: 'unknown',
      state: 'unregistered',
      lag: 50,
    });

    const later = new Date(Date.now() + 120_000);
    const [, stalled] = await projectionsStatus({
      store,
      db: testDb.db,
      projections: [counters, manager],
      now: later,
    });
    expect(stalled).toMatchObject({ name: 'mailer', state: 'stalled' });
    await new ProjectionRunner({ store, db: testDb.db, projection: manager }).catchUp();
    const [, live] = await projectionsStatus({
      store,
      db: testDb.db,
      projections: [counters, manager],
      now: later,
    });
    expect(live).toMatchObject({ name: 'mailer', state: 'live', lag: 0 });
  });
});
