import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EventStore, PostgresEventStore, SqliteEventStore } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { createDatabase } from '../database';
import { ProjectionRunner } from '../projectionRunner';
import { type BenchWriter, conversationsBenchProjection } from './conversationsBenchProjection';
import { fillConversationEvents } from './fillConversationEvents';

// Catch-up throughput of the projection runtime over a 100,000-event SQLite log, into a
// SQLite read model and into PostgreSQL; then over the same events in a PostgreSQL log into
// PostgreSQL read models (`eventLog: 'postgres'`). One JSON line per figure on stdout; any
// error exits non-zero.
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

async function timePagedRead(store: EventStore, eventLog: 'sqlite' | 'postgres'): Promise<void> {
  const start = process.hrtime.bigint();
  let count = 0;
  for await (const event of store.readAll({ filter: conversationsBenchProjection().filter })) {
    if (event.revision >= 0) count += 1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  report({
    bench: 'event-store-paged-read',
    eventLog,
    events: count,
    seconds: round3(seconds),
    eventsPerSecond: Math.round(count / seconds),
  });
}

async function timeCatchUp(
  store: EventStore,
  readModel: 'sqlite' | 'postgres',
  writer: BenchWriter,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
): Promise<void> {
  const runner = new ProjectionRunner({
    store,
    db,
    projection: conversationsBenchProjection(writer),
    batchSize: BATCH_SIZE,
  });
  const start = process.hrtime.bigint();
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const status = await runner.status();
  const rows = await db
    .selectFrom('bench_messages')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  report({
    bench: 'projection-catch-up',
    eventLog: store instanceof PostgresEventStore ? 'postgres' : 'sqlite',
    readModel,
    writer,
    events: EVENTS,
    batchSize: BATCH_SIZE,
    seconds: round3(seconds),
    eventsPerSecond: Math.round(EVENTS / seconds),
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
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  try {
    const fillStart = Date.now();
    await fillConversationEvents(store, EVENTS);
    report({ bench: 'setup', events: EVENTS, fillSeconds: (Date.now() - fillStart) / 1000 });
    await timePagedRead(store, 'sqlite');

    for (const writer of WRITERS) {
      const sqliteDb = createDatabase(`sqlite:${join(dir, `read-model-${writer}.db`)}`);
      try {
        await timeCatchUp(store, 'sqlite', writer, sqliteDb);
      } finally {
        await sqliteDb.destroy();
      }
    }

    const admin = createDatabase(PG_URL, { poolSize: 1 });
    try {
      for (const writer of WRITERS) {
        const schema = `projection_bench_${randomBytes(4).toString('hex')}`;
        await sql`create schema ${sql.id(schema)}`.execute(admin);
        const pgDb = createDatabase(PG_URL, { schema, poolSize: 2 });
        try {
          await timeCatchUp(store, 'postgres', writer, pgDb);
        } finally {
          await pgDb.destroy();
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
        }
      }
    } catch (error) {
      report({ bench: 'projection-catch-up', readModel: 'postgres', error: String(error) });
      process.exitCode = 1;
    } finally {
      await admin.destroy();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same events in a PostgreSQL log (its own schema), projected into PostgreSQL. */
async function postgresLog(): Promise<void> {
  const admin = createDatabase(PG_URL, { poolSize: 1 });
  const logSchema = `projection_bench_log_${randomBytes(4).toString('hex')}`;
  const store = new PostgresEventStore({ connectionString: PG_URL, schema: logSchema });
  try {
    const fillStart = Date.now();
    await fillConversationEvents(store, EVENTS);
    report({
      bench: 'setup',
      eventLog: 'postgres',
      events: EVENTS,
      fillSeconds: (Date.now() - fillStart) / 1000,
    });
    await timePagedRead(store, 'postgres');
    for (const writer of WRITERS) {
      const schema = `projection_bench_${randomBytes(4).toString('hex')}`;
      await sql`create schema ${sql.id(schema)}`.execute(admin);
      const pgDb = createDatabase(PG_URL, { schema, poolSize: 2 });
      try {
        await timeCatchUp(store, 'postgres', writer, pgDb);
      } finally {
        await pgDb.destroy();
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      }
    }
  } finally {
    await store.close();
    await sql`drop schema if exists ${sql.id(logSchema)} cascade`.execute(admin);
    await admin.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
