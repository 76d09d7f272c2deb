import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Position, type RecordedEvent, SqliteEventStore } from '@missive/event-store';
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { createDatabase } from '../database';
import { withScratchSchema } from '../withScratchSchema';
import { ProjectionRunner } from '../projectionRunner';
import { rebuildProjection } from '../rebuild/rebuildProjection';
import { BenchFailure, countingApplied, requireAllApplied, runBench } from './benchChecks';
import { conversationsBenchProjection } from './conversationsBenchProjection';
import { fillConversationEvents } from './fillConversationEvents';

// Blue/green rebuild throughput over a 1,000,000-event SQLite log (issue #7 item 6): the live
// copy is built first (a plain catch-up), then rebuilt beside it and switched in, into a SQLite
// read model and into PostgreSQL. To say where the time goes it also times, alone, the paged
// read of the log and the projection's own code with a database that executes nothing.
// One JSON line per figure on stdout. The log is written once and every part reads it through
// the same connection (its page cache warm after the first); each read model starts empty (a new SQLite file, a new PostgreSQL schema).
// An event not applied, lag left over or a parked event fails the run.
//   npm run bench:rebuild -w @missive/projections
//   env: BENCH_EVENTS (1000000), BENCH_BATCH_SIZE (2000), PG_BENCH_URL / PG_TEST_URL

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 2000);
const PG_URL =
  process.env.PG_BENCH_URL ?? process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Pages of `BATCH_SIZE` events, read the way the runner reads them. */
async function* pages(store: SqliteEventStore): AsyncGenerator<RecordedEvent[]> {
  const { filter } = conversationsBenchProjection();
  let from: Position | 'start' = 'start';
  for (;;) {
    const page: RecordedEvent[] = [];
    for await (const event of store.readAll({ fromPosition: from, filter, maxCount: BATCH_SIZE })) {
      page.push(event);
    }
    if (page.length === 0) return;
    from = page[page.length - 1]!.position;
    yield page;
    if (page.length < BATCH_SIZE) return;
  }
}

async function timeRead(store: SqliteEventStore): Promise<number> {
  const start = process.hrtime.bigint();
  let count = 0;
  for await (const page of pages(store)) count += page.length;
  const took = seconds(start);
  if (count !== EVENTS) throw new BenchFailure(`paged read: ${count} of ${EVENTS} events`);
  report({
    bench: 'rebuild-profile',
    part: 'event-store paged read',
    events: count,
    seconds: round3(took),
    eventsPerSecond: Math.round(count / took),
  });
  return took;
}

/** The projection's code (fold, SQL text, parameters) against a database that runs nothing. */
async function timeApplyWithoutDatabase(store: SqliteEventStore): Promise<number> {
  const db = new Kysely({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (inner) => new SqliteIntrospector(inner),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
  const projection = conversationsBenchProjection();
  let took = 0;
  let count = 0;
  await db.transaction().execute(async (tx) => {
    for await (const page of pages(store)) {
      const start = process.hrtime.bigint();
      await projection.apply(page, tx);
      took += seconds(start);
      count += page.length;
    }
  });
  await db.destroy();
  if (count !== EVENTS) throw new BenchFailure(`apply without a database: ${count} of ${EVENTS}`);
  report({
    bench: 'rebuild-profile',
    part: 'projection apply without a database',
    events: count,
    seconds: round3(took),
    eventsPerSecond: Math.round(count / took),
  });
  return took;
}

async function timeRebuild(
  store: SqliteEventStore,
  readModel: 'sqlite' | 'postgres',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  profile: { read: number; apply: number } | undefined,
): Promise<void> {
  const { projection, applied } = countingApplied(conversationsBenchProjection());
  const live = new ProjectionRunner({ store, db, projection, batchSize: BATCH_SIZE });
  const liveStart = process.hrtime.bigint();
  await live.catchUp();
  const liveSeconds = seconds(liveStart);
  const liveStatus = await live.status();
  requireAllApplied(`projection-catch-up ${readModel}`, {
    applied: applied(),
    expected: EVENTS,
    lag: liveStatus.lag,
    parked: liveStatus.parked,
  });
  report({
    bench: 'projection-catch-up',
    readModel,
    events: applied(),
    batchSize: BATCH_SIZE,
    seconds: round3(liveSeconds),
    eventsPerSecond: Math.round(applied() / liveSeconds),
  });

  const start = process.hrtime.bigint();
  const result = await rebuildProjection({ store, db, projection, batchSize: BATCH_SIZE });
  const took = seconds(start);
  const after = await live.status();
  requireAllApplied(`projection-rebuild ${readModel}`, {
    applied: result.events,
    expected: EVENTS,
    lag: after.lag,
    parked: result.parked + after.parked,
  });
  const rows = await db
    .selectFrom('bench_messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  report({
    bench: 'projection-rebuild',
    readModel,
    events: result.events,
    batchSize: BATCH_SIZE,
    seconds: round3(took),
    buildSeconds: round3(result.buildMs / 1000),
    switchMs: result.switchMs,
    eventsPerSecond: Math.round(result.events / took),
    messageRows: Number(rows.n),
    ...(profile
      ? {
          // What is left once reading the log and the projection's own code are taken out:
          // the database executing the statements, the checkpoint and the commits.
          databaseSeconds: round3(took - profile.read - profile.apply),
        }
      : {}),
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rebuild-bench-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  try {
    const fillStart = process.hrtime.bigint();
    await fillConversationEvents(store, EVENTS);
    report({ bench: 'setup', events: EVENTS, fillSeconds: round3(seconds(fillStart)) });
    const profile = {
      read: await timeRead(store),
      apply: await timeApplyWithoutDatabase(store),
    };

    const sqliteDb = createDatabase(`sqlite:${join(dir, 'read-model.db')}`);
    try {
      await timeRebuild(store, 'sqlite', sqliteDb, profile);
    } finally {
      await sqliteDb.destroy();
    }

    await withScratchSchema(PG_URL, 'rebuild_bench', (pgDb) =>
      timeRebuild(store, 'postgres', pgDb, undefined),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
