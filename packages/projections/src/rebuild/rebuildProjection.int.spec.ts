import { randomUUID } from 'node:crypto';
import { type EventStore, SqliteEventStore, decodePosition } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { type SqlDialectName } from '../database';
import type { Projection } from '../projection';
import { ProjectionRunner } from '../projectionRunner';
import { countParked, readCheckpoint } from '../projectionTables';
import { appendCounterEvents } from '../testing/appendCounterEvents';
import { type CounterProjectionOptions, counterProjection } from '../testing/counterProjection';
import { expectedCounterTables, readCounterTables } from '../testing/counterSnapshot';
import { seededRandom } from '../testing/seededRandom';
import { type TestDatabase, openTestDatabase } from '../testing/testDatabase';
import { existingTables } from './existingTables';
import {
  RebuildInterruptedError,
  RebuildRefusedError,
  rebuildProjection,
} from './rebuildProjection';

const dialects: SqlDialectName[] = ['sqlite', 'postgres'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Db = Kysely<any>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The counter projection plus a secondary index and a named constraint, to check their names. */
function indexedCounters(options: CounterProjectionOptions = {}): Projection {
  const base = counterProjection(options);
  return {
    ...base,
    async migrate(db) {
      await base.migrate(db);
      await db.schema
        .createIndex('event_log_by_stream')
        .ifNotExists()
        .on('event_log')
        .columns(['stream_id', 'revision'])
        .execute();
      await db.schema
        .createTable('counter_notes')
        .ifNotExists()
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addPrimaryKeyConstraint('counter_notes_pk', ['stream_id'])
        .execute();
    },
  };
}

/** Index names of the live schema, as a fresh start would leave them. */
async function indexNames(db: Db, dialect: SqlDialectName): Promise<string[]> {
  const { rows } =
    dialect === 'postgres'
      ? await sql<{
          name: string;
        }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(db)
      : await sql<{
          name: string;
        }>`select name from sqlite_schema where type = 'index' and name not like 'sqlite_%'`.execute(
          db,
        );
  return rows.map((row) => row.name).sort();
}

/**
 * The store, except that each page a runner reads first yields to the event loop. SQLite is
 * synchronous: without it, whichever runner catches up holds this one process until it is done,
 * where in production the writer, the live runner, the readers and the rebuild are separate
 * processes. Only runners' page reads (they pass `maxCount`) yield: the switch-over reads under
 * the write lock, and a same-process writer waiting on SQLite's busy handler would block the
 * thread that holds it.
 */
function interleaving(store: EventStore): EventStore {
  return {
    append: (stream, events, options) => store.append(stream, events, options),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) =>
      options?.maxCount === undefined
        ? store.readAll(options)
        : {
            async *[Symbol.asyncIterator]() {
              await new Promise((resolve) => setImmediate(resolve));
              yield* store.readAll(options);
            },
          },
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

describe.each(dialects)('rebuildProjection on %s', (dialect) => {
  let testDb: TestDatabase;
  let store: SqliteEventStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
  });

  afterEach(async () => {
    await Promise.allSettled(runners.splice(0).map((runner) => runner.stop()));
    await store.close();
    await testDb?.cleanup();
  });

  function liveRunner(projection: Projection, db: Db = testDb.open()): ProjectionRunner {
    const runner = new ProjectionRunner({
      store: interleaving(store),
      db,
      projection,
      pollIntervalMs: 2,
      batchSize: 50,
    });
    runners.push(runner);
    return runner;
  }

  async function appendPoison(): Promise<void> {
    await store.append('counter-poison', [
      { id: randomUUID(), type: 'Incremented', data: { by: 1, poison: true } },
    ]);
  }

  it('switches to a complete copy under live traffic; readers never see a half-built one', async () => {
    const random = seededRandom(11);
    await appendCounterEvents(store, { events: 1500, random });
    await appendPoison();
    await appendCounterEvents(store, { events: 500, random });
    const live = liveRunner(indexedCounters());
    await live.start();
    await live.catchUp();
    const indexesBefore = await indexNames(testDb.db, dialect);

    let writing = true;
    const writer = (async () => {
      // About as fast as a busy site, well below a rebuild's pace, so the rebuild converges.
      while (writing) {
        await appendCounterEvents(store, { events: 10, random });
        await sleep(5);
      }
    })();
    // One statement, so one snapshot on both databases: the checkpoint and the rows it covers.
    const reads: { commit: bigint; rows: number }[] = [];
    let reading = true;
    const readerDb = testDb.open();
    const reader = (async () => {
      while (reading) {
        const { rows } = await sql<{ position: string; n: number | string }>`select
            (select position from projection_checkpoints where name = 'counters' and version = 1) as position,
            (select count(*) from event_log) as n`.execute(readerDb);
        const position = decodePosition(rows[0]!.position);
        reads.push({
          commit: position === 'start' ? 0n : position.commit,
          rows: Number(rows[0]!.n),
        });
        await sleep(1);
      }
    })();

    const progress: number[] = [];
    const result = await rebuildProjection({
      store: interleaving(store),
      db: testDb.open(),
      projection: indexedCounters(),
      // Small batches on SQLite: each page read is where this one process interleaves.
      batchSize: dialect === 'sqlite' ? 20 : 100,
      onProgress: (p) => progress.push(p.events),
    });
    await sleep(50);
    writing = false;
    await writer;
    await live.catchUp();
    reading = false;
    await reader;

    // The live runner carried on over the new tables: they hold exactly the log's counted
    // events up to its checkpoint, as a fresh build would.
    const status = await live.status();
    expect(status.state).not.toBe('failed');
    expect(await readCounterTables(testDb.db)).toEqual(
      await expectedCounterTables(store, status.checkpoint),
    );
    expect(await indexNames(testDb.db, dialect)).toEqual(indexesBefore);

    // Every read saw a (checkpoint, rows) pair of one consistent copy, and rows never dropped.
    const counted = (await expectedCounterTables(store, await store.headPosition())).log.map(
      (row) => BigInt(row.commit_pos),
    );
    const countedUpTo = (commit: bigint) => counted.filter((c) => c <= commit).length;
    const switchedAt = result.checkpoint === 'start' ? 0n : result.checkpoint.commit;
    expect(reads.some((r) => r.commit < switchedAt)).toBe(true);
    expect(reads.some((r) => r.commit >= switchedAt)).toBe(true);
    for (const [i, read] of reads.entries()) {
      expect({ read: i, rows: read.rows }).toEqual({ read: i, rows: countedUpTo(read.commit) });
      if (i > 0) expect(read.rows).toBeGreaterThanOrEqual(reads[i - 1]!.rows);
    }

    expect(result).toMatchObject({ name: 'counters', version: 1, parked: 1 });
    expect(result.events).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(1);
    expect(await countParked(testDb.db, 'counters', 1)).toBe(1);
    expect(await countParked(testDb.db, 'counters#rebuild', 1)).toBe(0);
    expect(await existingTables(testDb.db, ['counters__rebuild', 'event_log__rebuild'])).toEqual(
      new Set(),
    );
    expect(await readCheckpoint(testDb.db, 'counters#rebuild', 1, 'projection_rebuilds')).toBe(
      undefined,
    );
  }, 90_000);

  it('resumes an interrupted rebuild from its shadow checkpoint, or starts over on request', async () => {
    await appendCounterEvents(store, { events: 2000, random: seededRandom(3) });
    const live = liveRunner(counterProjection());
    await live.catchUp();

    const abort = new AbortController();
    const first = rebuildProjection({
      store,
      db: testDb.db,
      projection: counterProjection(),
      batchSize: 50,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.events >= 300) abort.abort();
      },
    });
    await expect(first).rejects.toBeInstanceOf(RebuildInterruptedError);
    const kept = await readCheckpoint(testDb.db, 'counters#rebuild', 1, 'projection_rebuilds');
    expect(kept?.position).not.toBe('start');
    // The live copy was not touched meanwhile.
    expect(await readCounterTables(testDb.db)).toEqual(
      await expectedCounterTables(store, (await live.status()).checkpoint),
    );

    const resumed = await rebuildProjection({
      store,
      db: testDb.db,
      projection: counterProjection(),
      batchSize: 50,
    });
    expect(resumed.resumedFrom).toEqual(kept?.position);
    expect(await readCounterTables(testDb.db)).toEqual(
      await expectedCounterTables(store, resumed.checkpoint),
    );

    const again = new AbortController();
    await expect(
      rebuildProjection({
        store,
        db: testDb.db,
        projection: counterProjection(),
        batchSize: 50,
        signal: again.signal,
        onProgress: (p) => {
          if (p.events >= 100) again.abort();
        },
      }),
    ).rejects.toBeInstanceOf(RebuildInterruptedError);
    const fresh = await rebuildProjection({
      store,
      db: testDb.db,
      projection: counterProjection(),
      restart: true,
    });
    expect(fresh.resumedFrom).toBeUndefined();
    expect(await readCounterTables(testDb.db)).toEqual(
      await expectedCounterTables(store, fresh.checkpoint),
    );
  });

  it('switches in a new version: the old one stops writing and cannot start again', async () => {
    await appendCounterEvents(store, { events: 500, random: seededRandom(5) });
    const v1 = liveRunner(counterProjection({ version: 1 }));
    await v1.start();
    await v1.catchUp();

    const result = await rebuildProjection({
      store,
      db: testDb.db,
      projection: counterProjection({ version: 2 }),
    });
    expect(result.version).toBe(2);
    expect(await readCheckpoint(testDb.db, 'counters')).toEqual({
      version: 2,
      position: result.checkpoint,
    });
    expect(await readCheckpoint(testDb.db, 'counters', 1)).toBeUndefined();

    await appendCounterEvents(store, { events: 100, random: seededRandom(6) });
    await expect(v1.catchUp()).rejects.toThrow(/no checkpoint row/);
    await expect(liveRunner(counterProjection({ version: 1 })).start()).rejects.toThrow(
      /superseded by v2/,
    );
    const v2 = liveRunner(counterProjection({ version: 2 }));
    await v2.catchUp();
    expect(await readCounterTables(testDb.db)).toEqual(
      await expectedCounterTables(store, (await v2.status()).checkpoint),
    );
    await expect(
      rebuildProjection({ store, db: testDb.db, projection: counterProjection({ version: 1 }) }),
    ).rejects.toThrow(/v2 is live, newer than this build's v1/);
  });

  it('refuses process managers', async () => {
    await expect(
      rebuildProjection({
        store,
        db: testDb.db,
        projection: { ...counterProjection(), kind: 'process-manager' },
      }),
    ).rejects.toBeInstanceOf(RebuildRefusedError);
    expect(await existingTables(testDb.db, ['counters', 'counters__rebuild'])).toEqual(new Set());
  });
});
