import { randomUUID } from 'node:crypto';
import {
  type EventData,
  type EventStore,
  type Position,
  type ReadAllOptions,
  type RecordedEvent,
  SqliteEventStore,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@missive/event-store';
import type { Kysely } from 'kysely';
import { type SqlDialectName } from './database';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projectionRunner';
import { readCheckpoint } from './projectionTables';
import { appendCounterEvents } from './testing/appendCounterEvents';
import {
  type CounterEventData,
  type CounterProjectionOptions,
  counterProjection,
  counterTables,
} from './testing/counterProjection';
import { expectedCounterTables, readCounterTables } from './testing/counterSnapshot';
import { seededRandom } from './testing/seededRandom';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';
import { waitForCheckpoint } from './waitForCheckpoint';

const dialects: SqlDialectName[] = ['sqlite', 'postgres'];

describe.each(dialects)('ProjectionRunner on %s', (dialect) => {
  let testDb: TestDatabase;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let db: Kysely<any>;
  let store: SqliteEventStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    db = testDb.db;
  });

  afterEach(async () => {
    await Promise.allSettled(runners.splice(0).map((runner) => runner.stop()));
    await store.close();
    await testDb?.cleanup();
  });

  function runner(
    projection: CounterProjectionOptions = {},
    options: Partial<ProjectionRunnerOptions> = {},
  ): ProjectionRunner {
    const created = new ProjectionRunner({
      store,
      db,
      projection: counterProjection(projection),
      pollIntervalMs: 5,
      ...options,
    });
    runners.push(created);
    return created;
  }

  /** A fresh projection of the whole log into `rb_` tables, for comparison. */
  async function rebuild(): Promise<void> {
    await runner({ name: 'counters_rebuild', prefix: 'rb_' }, { batchSize: 1000 }).catchUp();
  }

  async function checkpointOf(name = 'counters'): Promise<Position | 'start'> {
    return (await readCheckpoint(db, name, 1))?.position ?? 'start';
  }

  /** The read model must be exactly what some prefix of the log produces. */
  async function expectPrefixOfLog(): Promise<void> {
    const checkpoint = await checkpointOf();
    expect(await readCounterTables(db)).toEqual(await expectedCounterTables(store, checkpoint));
  }

  it('(a) stopped and crashed at random points, then resumed, ends equal to a fresh rebuild', async () => {
    const seed = Number(process.env.PROJECTIONS_TEST_SEED ?? Date.now() % 1_000_000);
    const random = seededRandom(seed);
    const context = `seed ${seed} (replay with PROJECTIONS_TEST_SEED=${seed})`;
    await appendCounterEvents(store, { events: 2000, random });

    for (let round = 0; round < 12; round++) {
      await appendCounterEvents(store, { events: 250, random });
      const mode = (['stop', 'crash', 'live-stop', 'flaky'] as const)[round % 4]!;
      // Every round appended ≥ 250 events, of which well over 150 are counted.
      const triggerAt = 1 + Math.floor(random() * 150);
      const batchSize = 1 + Math.floor(random() * 400);
      let seen = 0;
      let fired = false;
      let stopping: Promise<void> | undefined;
      let fire: () => void = () => undefined;
      const fireDone = new Promise<void>((resolve) => (fire = resolve));

      const current = runner(
        {
          afterLogRows: (events) => {
            seen += events.length;
            if (fired || seen < triggerAt) return;
            fired = true;
            fire();
            if (mode === 'crash') {
              // Rows of this batch are already written in the transaction: a crash now must
              // leave none of them behind.
              throw Object.assign(new Error('simulated crash'), { code: 'ECONNRESET' });
            }
            if (mode === 'flaky') throw new Error('fails once, then succeeds');
            // Not awaited: stop() waits for this very batch to finish.
            stopping = current.stop();
          },
        },
        { batchSize },
      );

      if (mode === 'crash') {
        await expect(current.catchUp()).rejects.toThrow('simulated crash');
        // A crashed process leaves its connection behind: continue on a new one.
        db = testDb.open();
      } else if (mode === 'live-stop') {
        await current.start();
        await fireDone;
        await stopping;
        expect((await current.status()).state).toBe('stopped');
      } else {
        await current.catchUp();
        if (mode === 'stop') await stopping;
      }
      expect({ context, round, fired }).toEqual({ context, round, fired: true });
      await expectPrefixOfLog();
    }

    await runner({}, { batchSize: 333 }).catchUp();
    await rebuild();
    const resumed = await readCounterTables(db);
    expect(resumed).toEqual(await readCounterTables(db, 'rb_'));
    expect(resumed).toEqual(await expectedCounterTables(store, await store.headPosition()));
    expect(resumed.log.length).toBeGreaterThan(2000);
    const status = await runner().status();
    expect(status).toMatchObject({ parked: 0, lag: 0 });
  });

  it('(b) writes rows and checkpoint atomically: a failing batch leaves neither', async () => {
    const random = seededRandom(2);
    await appendCounterEvents(store, { events: 600, random });
    await runner().catchUp();
    const checkpointBefore = await checkpointOf();
    const tablesBefore = await readCounterTables(db);
    expect(tablesBefore.log.length).toBeGreaterThan(0);

    await appendCounterEvents(store, { events: 400, random });
    const { log } = counterTables();
    let rowsSeenInsideTransaction = 0;
    const failing = runner({
      afterLogRows: async (_events, tx) => {
        const row = await tx
          .selectFrom(log)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        rowsSeenInsideTransaction = Number(row.n);
        throw Object.assign(new Error('connection lost mid-batch'), { code: 'ECONNRESET' });
      },
    });
    await expect(failing.catchUp()).rejects.toThrow('connection lost mid-batch');

    expect(rowsSeenInsideTransaction).toBeGreaterThan(tablesBefore.log.length);
    expect(await checkpointOf()).toEqual(checkpointBefore);
    expect(await readCounterTables(db)).toEqual(tablesBefore);
    const status = await failing.status();
    expect(status.state).toBe('failed');
    expect(status.lastError).toContain('connection lost mid-batch');
    expect(status.parked).toBe(0);

    await runner().catchUp();
    await rebuild();
    expect(await readCounterTables(db)).toEqual(await readCounterTables(db, 'rb_'));
  });

  it('(c) parks a poison event with its error, counts it, and goes on', async () => {
    const random = seededRandom(3);
    await appendCounterEvents(store, { events: 500, random });
    await store.append('counter-3', [counted('Incremented', { by: 5, poison: true })]);
    await appendCounterEvents(store, { events: 500, random });
    await store.append('counter-7', [
      counted('Incremented', { by: 1 }),
      counted('Decremented', { by: 2, poison: true }),
      counted('Incremented', { by: 3 }),
    ]);
    await appendCounterEvents(store, { events: 500, random });
    const poison = await poisonEvents(store);
    expect(poison).toHaveLength(2);

    const current = runner({}, { batchSize: 100 });
    await current.catchUp();
    const status = await current.status();
    expect(status.parked).toBe(poison.length);
    expect(status.lag).toBe(0);
    expect(status.checkpoint).toEqual(await store.headPosition());

    const parked = await db
      .selectFrom('projection_parked')
      .selectAll()
      .where('projection', '=', 'counters')
      .execute();
    const byPosition = (a: { position: string }, b: { position: string }): number =>
      comparePositions(decodePosition(a.position), decodePosition(b.position));
    expect(
      parked
        .map((row) => ({
          position: String(row.position),
          event_id: String(row.event_id),
          stream_id: String(row.stream_id),
          revision: Number(row.revision),
          type: String(row.type),
          version: Number(row.version),
        }))
        .sort(byPosition),
    ).toEqual(
      poison.map((event) => ({
        position: encodePosition(event.position),
        event_id: event.id,
        stream_id: event.streamId,
        revision: event.revision,
        type: event.type,
        version: 1,
      })),
    );
    for (const row of parked) expect(String(row.error)).toContain(`poison event ${row.event_id}`);
    // Every other event is projected, the poison ones are not.
    expect(await readCounterTables(db)).toEqual(
      await expectedCounterTables(store, await store.headPosition()),
    );

    // It keeps going after the parked events, without parking them again.
    await appendCounterEvents(store, { events: 300, random });
    await store.append('counter-3', [counted('Incremented', { by: 9, poison: true })]);
    await appendCounterEvents(store, { events: 300, random });
    await current.catchUp();
    expect((await current.status()).parked).toBe(3);
    expect(await readCounterTables(db)).toEqual(
      await expectedCounterTables(store, await store.headPosition()),
    );
  });

  it('(d) follows the live tail; waitForCheckpoint resolves for new events', async () => {
    const random = seededRandom(4);
    await appendCounterEvents(store, { events: 1000, random });
    const live = runner();
    await live.start();
    await live.catchUp();
    expect((await live.status()).lag).toBe(0);

    const appended = await appendCounterEvents(store, { events: 300, random });
    const waits = Array.from({ length: 20 }, () =>
      waitForCheckpoint(db, 'counters', appended.position, { timeoutMs: 20_000 }),
    );
    expect(await Promise.all(waits)).toEqual(Array(20).fill(true));
    expect(await readCounterTables(db)).toEqual(
      await expectedCounterTables(store, appended.position),
    );

    // Events outside the filter still move the checkpoint, so lag and waits settle.
    const other = await store.append('other-9', [
      { id: randomUUID(), type: 'Incremented', data: { by: 1 } },
    ]);
    expect(await waitForCheckpoint(db, 'counters', other.position, { timeoutMs: 20_000 })).toBe(
      true,
    );
    const status = await live.status();
    expect(status).toMatchObject({ state: 'live', lag: 0, checkpoint: other.position });

    const future: Position = { commit: other.position.commit + 1000n, prepare: 0n };
    expect(await waitForCheckpoint(db, 'counters', future, { timeoutMs: 30 })).toBe(false);
    expect(await waitForCheckpoint(db, 'not-a-projection', other.position, { timeoutMs: 30 })).toBe(
      false,
    );
    await live.stop();
    expect((await live.status()).state).toBe('stopped');
  });

  it('(e) two runners on the same projection never apply a batch twice', async () => {
    const random = seededRandom(5);
    await appendCounterEvents(store, { events: 3000, random });
    // SQLite: one connection shared, as within one process (two connections in one process
    // would block the event loop in busy_timeout). PostgreSQL: separate pools, like two
    // processes. Either way both read the same first page before either commits.
    const secondDb = dialect === 'sqlite' ? db : testDb.open();
    const racing = barrierOnFirstReads(store, 2);
    const first = runner({}, { store: racing, batchSize: 250 });
    const second = runner({}, { store: racing, db: secondDb, batchSize: 250 });
    await Promise.all([first.catchUp(), second.catchUp()]);

    const [a, b] = await Promise.all([first.status(), second.status()]);
    expect(a.conflicts + b.conflicts).toBeGreaterThan(0);
    expect(await readCounterTables(db)).toEqual(
      await expectedCounterTables(store, await store.headPosition()),
    );

    // Live, with appends racing both runners.
    await Promise.all([first.start(), second.start()]);
    let last = await appendCounterEvents(store, { events: 200, random });
    for (let i = 0; i < 5; i++) last = await appendCounterEvents(store, { events: 200, random });
    expect(await waitForCheckpoint(db, 'counters', last.position, { timeoutMs: 20_000 })).toBe(
      true,
    );
    await Promise.all([first.stop(), second.stop()]);
    await rebuild();
    const tables = await readCounterTables(db);
    expect(tables).toEqual(await readCounterTables(db, 'rb_'));
    expect(tables).toEqual(await expectedCounterTables(store, last.position));
    expect((await first.status()).parked).toBe(0);
  });
});

function counted(type: string, data: CounterEventData): EventData<CounterEventData> {
  return { id: randomUUID(), type, data };
}

async function poisonEvents(store: EventStore): Promise<RecordedEvent[]> {
  const poison: RecordedEvent[] = [];
  const filter = { streamPrefixes: ['counter-'], eventTypes: ['Incremented', 'Decremented'] };
  for await (const event of store.readAll({ filter })) {
    if ((event.data as { poison?: boolean }).poison) poison.push(event);
  }
  return poison;
}

/**
 * Delegates to `store`, except that the first `parties` readAll calls each hold their page
 * until all of them have read theirs: the runners then race on the same checkpoint.
 */
function barrierOnFirstReads(store: EventStore, parties: number): EventStore {
  let arrived = 0;
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  return {
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    subscribe: (...args) => store.subscribe(...args),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
    readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
      if (arrived >= parties) return store.readAll(options);
      return (async function* () {
        const page: RecordedEvent[] = [];
        for await (const event of store.readAll(options)) page.push(event);
        arrived += 1;
        if (arrived >= parties) release();
        await allArrived;
        yield* page;
      })();
    },
  };
}
