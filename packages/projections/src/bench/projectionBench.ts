import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { createDatabase } from '../database';
import { ProjectionRunner } from '../projectionRunner';
import { BenchFailure, countingApplied, requireAllApplied, runBench } from './benchChecks';
import { type BenchWriter, conversationsBenchProjection } from './conversationsBenchProjection';
import { fillConversationEvents } from './fillConversationEvents';

// Catch-up throughput of the projection runtime over a 100,000-event SQLite log, into a
// SQLite read model and into PostgreSQL. One JSON line per figure on stdout. The log is written
// once; each figure opens its own connection to it (a cold SQLite page cache) and writes into a
// read model of its own (a new SQLite file, or a new PostgreSQL schema). A figure with an event
// not applied, lag left over or a parked event fails the run.
//   npm run bench -w @missive/projections
//   env: BENCH_EVENTS (100000), BENCH_BATCH_SIZE (1000), PG_BENCH_URL / PG_TEST_URL

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 1000);
const PG_URL =
  process.env.PG_BENCH_URL ?? process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';
const WRITERS: readonly BenchWriter[] = ['insertRows', 'kysely'];

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

async function timePagedRead(path: string): Promise<void> {
  const store = new SqliteEventStore({ path });
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
    events: count,
    seconds: round3(seconds),
    eventsPerSecond: Math.round(count / seconds),
  });
}

async function timeCatchUp(
  path: string,
  readModel: 'sqlite' | 'postgres',
  writer: BenchWriter,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
): Promise<void> {
  const store = new SqliteEventStore({ path });
  const { projection, applied } = countingApplied(conversationsBenchProjection(writer));
  const runner = new ProjectionRunner({ store, db, projection, batchSize: BATCH_SIZE });
  const start = process.hrtime.bigint();
  await runner.catchUp();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const status = await runner.status();
  await store.close();
  requireAllApplied(`projection-catch-up ${readModel} ${writer}`, {
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
  const dir = mkdtempSync(join(tmpdir(), 'projection-bench-'));
  const log = join(dir, 'events.db');
  try {
    const store = new SqliteEventStore({ path: log });
    const fillStart = Date.now();
    await fillConversationEvents(store, EVENTS);
    await store.close();
    report({ bench: 'setup', events: EVENTS, fillSeconds: (Date.now() - fillStart) / 1000 });
    await timePagedRead(log);

    for (const writer of WRITERS) {
      const sqliteDb = createDatabase(`sqlite:${join(dir, `read-model-${writer}.db`)}`);
      try {
        await timeCatchUp(log, 'sqlite', writer, sqliteDb);
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
          await timeCatchUp(log, 'postgres', writer, pgDb);
        } finally {
          await pgDb.destroy();
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
        }
      }
    } finally {
      await admin.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
