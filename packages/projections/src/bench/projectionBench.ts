import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, PostgresEventStore, SqliteEventStore } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { createDatabase } from '../database';
import { withScratchSchema } from '../withScratchSchema';
import { ProjectionRunner } from '../projectionRunner';
import { BenchFailure, countingApplied, requireAllApplied, runBench } from './benchChecks';
import { type BenchWriter, conversationsBenchProjection } from './conversationsBenchProjection';
import { fillConversationEvents } from './fillConversationEvents';

// Catch-up throughput of the projection runtime over a 100,000-event SQLite log, into a
// SQLite read model and into PostgreSQL; then over the same events in a PostgreSQL log into
// PostgreSQL read models (`eventLog: 'postgres'`). One JSON line per figure on stdout. Each
// figure opens its own connection to the log (a cold SQLite page cache) and writes into a read
// model of its own (a new SQLite file, or a new PostgreSQL schema). A figure with an event not
// applied, lag left over or a parked event fails the run.
//   npm run bench -w @missive/projections
//   env: BENCH_EVENTS (100000), BENCH_BATCH_SIZE (1000), PG_BENCH_URL / PG_TEST_URL,
//        BENCH_EVENT_LOGS (sqlite,postgres: which logs to read from)

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1000);
const PG_URL =
  process.env.PG_BENCH_URL ?? process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';
const WRITERS: readonly BenchWriter[] = ['insertRows', 'kysely'];

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

type EventLog = 'sqlite' | 'postgres';

async function timePagedRead(open: () => EventStore, eventLog: EventLog): Promise<void> {
  const store = open();
  const start = process.hrtime.bigint();
  let count = 0;
  for await (const event of store.readAll({ filter: conversationsBenchProjection().filter })) {
    if (event.revision >= 0) count += 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  if (count !== EVENTS) throw new BenchFailure(`paged read: ${count} of ${EVENTS} events`);
  report({
    bench: 'event-store-paged-read',
    eventLog,
    events: count,
    seconds: round3(seconds),
    eventsPerSecond: Math.round(count / seconds),
  });
}

async function timeCatchUp(
  open: () => EventStore,
  eventLog: EventLog,
  readModel: 'sqlite' | 'postgres',
  writer: BenchWriter,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
): Promise<void> {
  const store = open();
  const { projection, applied } = countingApplied(conversationsBenchProjection(writer));
  const runner = new ProjectionRunner({ store, db, projection, batchSize: BATCH_SIZE });
  const start = process.hrtime.bigint();
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const status = await runner.status();
  await store.close();
  requireAllApplied(`projection-catch-up ${eventLog} ${readModel} ${writer}`, {
    applied: applied(),
    expected: EVENTS,
    lag: status.lag,
    parked: status.parked,
  });
  const rows = await db
    .selectFrom('bench_messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  report({
    bench: 'projection-catch-up',
    eventLog,
    readModel,
    writer,
    events: applied(),
    batchSize: BATCH_SIZE,
    seconds: round3(seconds),
    eventsPerSecond: Math.round(applied() / seconds),
    messageRows: Number(rows.n),
    lag: status.lag,
    parked: status.parked,
  });
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function main(): Promise<void> {
  const logs = (process.env.BENCH_EVENT_LOGS ?? 'sqlite,postgres').split(',');
  if (logs.includes('sqlite')) await sqliteLog();
  if (logs.includes('postgres')) await postgresLog();
}

async function sqliteLog(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'projection-bench-'));
  const log = join(dir, 'events.db');
  try {
    const store = new SqliteEventStore({ path: log });
    const fillStart = Date.now();
    await fillConversationEvents(store, EVENTS);
    await store.close();
    report({ bench: 'setup', events: EVENTS, fillSeconds: (Date.now() - fillStart) / 1000 });
    const open = () => new SqliteEventStore({ path: log });
    await timePagedRead(open, 'sqlite');

    for (const writer of WRITERS) {
      const sqliteDb = createDatabase(`sqlite:${join(dir, `read-model-${writer}.db`)}`);
      try {
        await timeCatchUp(open, 'sqlite', 'sqlite', writer, sqliteDb);
      } finally {
        await sqliteDb.destroy();
      }
    }

    for (const writer of WRITERS) {
      await withScratchSchema(PG_URL, 'projection_bench', (pgDb) =>
        timeCatchUp(open, 'sqlite', 'postgres', writer, pgDb),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same events in a PostgreSQL log (its own schema), projected into PostgreSQL. */
async function postgresLog(): Promise<void> {
  const admin = createDatabase(PG_URL, { poolSize: 1 });
  const logSchema = `projection_bench_log_${randomBytes(4).toString('hex')}`;
  const open = () => new PostgresEventStore({ connectionString: PG_URL, schema: logSchema });
  try {
    const store = open();
    const fillStart = Date.now();
    await fillConversationEvents(store, EVENTS);
    await store.close();
    report({
      bench: 'setup',
      eventLog: 'postgres',
      events: EVENTS,
      fillSeconds: (Date.now() - fillStart) / 1000,
    });
    await timePagedRead(open, 'postgres');
    for (const writer of WRITERS) {
      await withScratchSchema(PG_URL, 'projection_bench', (pgDb) =>
        timeCatchUp(open, 'postgres', 'postgres', writer, pgDb),
      );
    }
  } finally {
    await sql`drop schema if exists ${sql.id(logSchema)} cascade`.execute(admin);
    await admin.destroy();
  }
}

runBench(main);
