/**
 * Durable-write and read figures for the PostgreSQL adapter against a real server
 * (`PG_BENCH_URL`, else `PG_TEST_URL`, else postgres://127.0.0.1:5432/test), each figure in a
 * fresh schema dropped afterwards. synchronous_commit is the server's (on by default): an
 * append resolves after its commit is flushed. Run by `eventStoreBench.ts`.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventData } from '../eventStore';
import { PostgresEventStore } from '../postgres/postgresEventStore';
import { ScratchSchemas } from '../postgres/scratchSchemas';

export const PG_BENCH_URL =
  process.env['PG_BENCH_URL'] ?? process.env['PG_TEST_URL'] ?? 'postgres://127.0.0.1:5432/test';

type Report = (figure: Record<string, unknown>) => void;

/** Appends each figure makes before it starts measuring. */
const WARM_UP = 2_000;

export function benchEvent(i: number): EventData {
  return {
    id: randomUUID(),
    type: 'MessageAdded',
    data: { conversationId: String(1000 + (i % 97)), messageId: String(i), body: `message ${i}` },
    metadata: { correlationId: randomUUID(), actorUserId: '42', schemaVersion: 1 },
  };
}

/** Each writer owns a stream and appends one event at a time with its expected revision. */
export async function appendSingles(
  store: PostgresEventStore,
  writers: number,
  total: number,
  streamPrefix = 'conversation',
): Promise<{ events: number; ms: number }> {
  const perWriter = Math.ceil(total / writers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let expected: 'no_stream' | number = 'no_stream';
      for (let i = 0; i < perWriter; i++) {
        const result = await store.append(`${streamPrefix}-${w}`, [benchEvent(i)], {
          expectedRevision: expected,
        });
        expected = result.nextExpectedRevision;
      }
    }),
  );
  return { events: perWriter * writers, ms: performance.now() - started };
}

async function withSchema<T>(run: (schema: string) => Promise<T>): Promise<T> {
  const schemas = await ScratchSchemas.connect(PG_BENCH_URL);
  const schema = schemas.name('es_bench');
  try {
    return await run(schema);
  } finally {
    try {
      await schemas.drop(schema);
    } finally {
      await schemas.end();
    }
  }
}

async function singleEventAppends(report: Report, writers: number, total: number): Promise<void> {
  await withSchema(async (schema) => {
    const store = new PostgresEventStore({ connectionString: PG_BENCH_URL, schema });
    try {
      await store.ready();
      // Not measured: the pool's connections opened, the append statement prepared on each
      // and the append function's plans cached, as in a process that has been running.
      await appendSingles(store, writers, WARM_UP, 'warm-up');
      const { events, ms } = await appendSingles(store, writers, total);
      report({
        bench: 'postgres.append.single',
        writers,
        events,
        eventsPerSec: Math.round((events / ms) * 1000),
        ms: Math.round(ms),
        transactions: store.stats().transactions,
      });
    } finally {
      await store.close();
    }
  });
}

/**
 * The same 64-writer load from two OS processes at once (each its own store and connections),
 * against one process alone: the advisory lock serializes their commits, group commit keeps
 * each commit full.
 */
async function twoProcessAppends(report: Report, writers: number, total: number): Promise<void> {
  await withSchema(async (schema) => {
    const store = new PostgresEventStore({ connectionString: PG_BENCH_URL, schema });
    await store.ready();
    await store.close();
    const children = [0, 1].map((p) => runChild(schema, p, writers, total / 2));
    // Both started and warmed up before either is told to go: the figure is the load alone.
    await Promise.all(children.map((child) => child.ready));
    const started = performance.now();
    for (const child of children) child.go();
    const results = await Promise.all(children.map((child) => child.result));
    const ms = performance.now() - started;
    const events = results.reduce((sum, c) => sum + c.events, 0);
    report({
      bench: 'postgres.append.single.twoProcesses',
      writersPerProcess: writers,
      events,
      eventsPerSec: Math.round((events / ms) * 1000),
      ms: Math.round(ms),
      perProcessEventsPerSec: results.map((c) => Math.round((c.events / c.ms) * 1000)),
    });
  });
}

/** An appending process: `ready` once warmed up, then `go()` starts the measured load. */
function runChild(
  schema: string,
  proc: number,
  writers: number,
  total: number,
): { ready: Promise<void>; go: () => void; result: Promise<{ events: number; ms: number }> } {
  const script = `
    const { PostgresEventStore } = require(${JSON.stringify(join(__dirname, '..', 'index.js'))});
    const { appendSingles } = require(${JSON.stringify(__filename)});
    (async () => {
      const store = new PostgresEventStore({ connectionString: process.argv[1], schema: process.argv[2] });
      await store.ready();
      await appendSingles(store, Number(process.argv[3]), ${WARM_UP}, 'warm-up' + process.argv[5]);
      process.stdout.write('ready\\n');
      await new Promise((resolve) => process.stdin.once('data', resolve));
      process.stdin.destroy();
      const result = await appendSingles(store, Number(process.argv[3]), Number(process.argv[4]), 'p' + process.argv[5]);
      await store.close();
      process.stdout.write(JSON.stringify(result) + '\\n');
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawn(
    process.execPath,
    ['-e', script, PG_BENCH_URL, schema, String(writers), String(total), String(proc)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  const result = new Promise<{ events: number; ms: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0)
        resolve(JSON.parse(out.slice('ready\n'.length)) as { events: number; ms: number });
      else reject(new Error(`append process ${proc} exited with ${code}`));
    });
  });
  // A child that dies while warming up fails the run instead of leaving it waiting.
  return {
    ready: Promise.race([ready, result.then(() => undefined)]),
    go: () => child.stdin.write('go\n'),
    result,
  };
}

async function readAll(report: Report, total: number): Promise<void> {
  await withSchema(async (schema) => {
    const store = new PostgresEventStore({ connectionString: PG_BENCH_URL, schema });
    try {
      // Filling is not measured: batches of 100 across 1,000 streams.
      for (let b = 0; b < total / 1000; b++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, s) =>
            store.append(
              `conversation-${b * 10 + s}`,
              Array.from({ length: 100 }, (_, i) => benchEvent(b * 1000 + s * 100 + i)),
            ),
          ),
        );
      }
      const timings: number[] = [];
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        let read = 0;
        for await (const _ of store.readAll()) read += 1;
        if (read !== total) throw new Error(`read ${read} events of ${total}`);
        timings.push(performance.now() - started);
      }
      const ms = [...timings.slice(1)].sort((a, b) => a - b)[0]!;
      report({
        bench: 'postgres.readAll',
        events: total,
        eventsPerSec: Math.round((total / ms) * 1000),
        ms: Math.round(ms),
        firstEventsPerSec: Math.round((total / timings[0]!) * 1000),
      });
    } finally {
      await store.close();
    }
  });
}

export async function postgresBench(report: Report, singleAppends: number): Promise<void> {
  await singleEventAppends(report, 1, Math.min(singleAppends, 2_000));
  for (const writers of [16, 64]) await singleEventAppends(report, writers, singleAppends);
  await twoProcessAppends(report, 64, singleAppends);
  await readAll(report, 100_000);
}
