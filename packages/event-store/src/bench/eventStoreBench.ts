/**
 * Durable-write and read figures for the SQLite adapter (see BENCHMARKS.md for the method),
 * then the PostgreSQL adapter's (`postgresBench.ts`; `BENCH_POSTGRES=false` skips them).
 * One JSON line per figure on stdout; a fresh temp database per figure, synchronous=FULL.
 * Run: `npm run bench -w @missive/event-store` (turbo builds first).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventData } from '../eventStore';
import { SqliteEventStore } from '../sqlite/sqliteEventStore';
import { postgresBench } from './postgresBench';

const SINGLE_APPENDS = Number(process.env['BENCH_SINGLE_APPENDS'] ?? 20_000);
const WRITER_COUNTS = [1, 16, 64];
const BATCH_STREAM_EVENTS = 10_000;
const BATCH_SIZE = 100;
const READ_ALL_EVENTS = 100_000;

function event(i: number): EventData {
  return {
    id: randomUUID(),
    type: 'MessageAdded',
    data: { conversationId: String(1000 + (i % 97)), messageId: String(i), body: `message ${i}` },
    metadata: { correlationId: randomUUID(), actorUserId: '42', schemaVersion: 1 },
  };
}

async function withStore<T>(run: (store: SqliteEventStore) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-es-bench-'));
  const store = new SqliteEventStore({ path: join(dir, 'events.db') });
  try {
    return await run(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

/** Each writer owns a stream and appends one event at a time with its expected revision. */
async function singleEventAppends(writers: number): Promise<void> {
  const total = writers === 1 ? Math.min(SINGLE_APPENDS, 5_000) : SINGLE_APPENDS;
  await withStore(async (store) => {
    const perWriter = Math.ceil(total / writers);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        let expected: 'no_stream' | number = 'no_stream';
        for (let i = 0; i < perWriter; i++) {
          const result = await store.append(`conversation-${w}`, [event(i)], {
            expectedRevision: expected,
          });
          expected = result.nextExpectedRevision;
        }
      }),
    );
    const ms = performance.now() - started;
    const events = perWriter * writers;
    const { transactions } = store.stats();
    report({
      bench: 'sqlite.append.single',
      writers,
      events,
      eventsPerSec: Math.round((events / ms) * 1000),
      ms: Math.round(ms),
      transactions,
    });
  });
}

async function batchedAppendsAndStreamRead(): Promise<void> {
  await withStore(async (store) => {
    const batches = Array.from({ length: BATCH_STREAM_EVENTS / BATCH_SIZE }, (_, b) =>
      Array.from({ length: BATCH_SIZE }, (_, i) => event(b * BATCH_SIZE + i)),
    );
    let expected: 'no_stream' | number = 'no_stream';
    const started = performance.now();
    for (const batch of batches) {
      const result = await store.append('conversation-big', batch, { expectedRevision: expected });
      expected = result.nextExpectedRevision;
    }
    const ms = performance.now() - started;
    report({
      bench: 'sqlite.append.batch',
      batchSize: BATCH_SIZE,
      events: BATCH_STREAM_EVENTS,
      eventsPerSec: Math.round((BATCH_STREAM_EVENTS / ms) * 1000),
      ms: Math.round(ms),
    });

    // The first read pays for JIT warm-up and cold pages; later ones show the steady state.
    const timings = await repeat(6, async () => {
      let read = 0;
      for await (const _ of store.readStream('conversation-big')) read += 1;
      if (read !== BATCH_STREAM_EVENTS) throw new Error(`read ${read} events`);
    });
    const readMs = median(timings.slice(1));
    report({
      bench: 'sqlite.readStream',
      events: BATCH_STREAM_EVENTS,
      eventsPerSec: Math.round((BATCH_STREAM_EVENTS / readMs) * 1000),
      ms: round1(readMs),
      firstMs: round1(timings[0]!),
    });
  });
}

async function readAllOver100k(): Promise<void> {
  await withStore(async (store) => {
    // Filling is not measured: big batches across 1,000 streams, like a busy log.
    for (let b = 0; b < READ_ALL_EVENTS / 1000; b++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, s) =>
          store.append(
            `conversation-${b * 10 + s}`,
            Array.from({ length: 100 }, (_, i) => event(b * 1000 + s * 100 + i)),
          ),
        ),
      );
    }
    const timings = await repeat(3, async () => {
      let read = 0;
      for await (const _ of store.readAll()) read += 1;
      if (read !== READ_ALL_EVENTS) throw new Error(`read ${read} events`);
    });
    const ms = median(timings.slice(1));
    report({
      bench: 'sqlite.readAll',
      events: READ_ALL_EVENTS,
      eventsPerSec: Math.round((READ_ALL_EVENTS / ms) * 1000),
      ms: Math.round(ms),
      firstEventsPerSec: Math.round((READ_ALL_EVENTS / timings[0]!) * 1000),
    });
  });
}

async function repeat(times: number, run: () => Promise<void>): Promise<number[]> {
  const timings: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    timings.push(performance.now() - started);
  }
  return timings;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

async function main(): Promise<void> {
  for (const writers of WRITER_COUNTS) await singleEventAppends(writers);
  await batchedAppendsAndStreamRead();
  await readAllOver100k();
  if (process.env['BENCH_POSTGRES'] === 'false') {
    console.error('PostgreSQL figures skipped: BENCH_POSTGRES=false');
  } else {
    await postgresBench(report, SINGLE_APPENDS);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
