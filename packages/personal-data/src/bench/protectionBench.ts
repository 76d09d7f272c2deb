import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type EventData,
  type EventStore,
  PostgresEventStore,
  SqliteEventStore,
} from '@missive/event-store';
import { createDatabase } from '@missive/projections';
import { sql } from 'kysely';
import { KeyStore } from '../keyStore';
import { missiveErasures, missivePersonalData } from '../missivePolicy';
import { ProtectedEventStore } from '../protectedEventStore';

/**
 * What crypto-shredding costs: the same load on a plain store and on the same kind of store
 * sealing personal data, interleaved in one run (plain, sealed, plain, sealed) so that both
 * see the same machine. Two loads: 64 writers each appending single `MessageAdded` events
 * (1,000 authors, so 1,000 keys are created as the run goes), and a full read of the log as a
 * rebuild reads it (a fresh store each time: nothing opened before is kept). Each figure uses
 * a log of its own; any failed append or a short read fails the run.
 *   npm run bench -w @missive/personal-data
 *   env: BENCH_APPENDS (20000), BENCH_READ_EVENTS (100000), PG_BENCH_URL / PG_TEST_URL,
 *        BENCH_ENGINES (sqlite,postgres)
 */
const APPENDS = Number(process.env.BENCH_APPENDS ?? 20_000);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 100_000);
const WRITERS = 64;
const AUTHORS = 1000;
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');
const PG_URL =
  process.env.PG_BENCH_URL ?? process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

type Engine = 'sqlite' | 'postgres';

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify({ ...figure, loadavg: loadavg().map((l) => +l.toFixed(2)) }));
}

function message(i: number): EventData {
  return {
    id: randomUUID(),
    type: 'MessageAdded',
    data: {
      conversationId: String(1000 + (i % 97)),
      messageId: String(i),
      authorId: String(1 + (i % AUTHORS)),
      body: `message ${i}: a sentence or two of what someone wrote to a class`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
      recipientIds: ['1', '2'],
      generated: false,
      attachmentIds: [],
      mediaComment: null,
      forwardedMessageIds: [],
      updateForSender: true,
    },
    metadata: { actorUserId: String(1 + (i % AUTHORS)) },
  };
}

/** A fresh log (and key store) of the engine, closed and removed by `done`. */
async function freshStores(engine: Engine, sealed: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'missive-protection-bench-'));
  const schema = `protection_bench_${randomBytes(4).toString('hex')}`;
  let inner: EventStore;
  if (engine === 'sqlite') {
    inner = new SqliteEventStore({ path: join(dir, 'events.db') });
  } else {
    const admin = createDatabase(PG_URL, { poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin);
    await admin.destroy();
    inner = new PostgresEventStore({ connectionString: PG_URL, schema });
  }
  // As the processes seal: Missive's policy, keys beside the log (a schema of their own here).
  const keyStores: KeyStore[] = [];
  const open = (): EventStore => {
    if (!sealed) return inner;
    const keys =
      engine === 'sqlite'
        ? new KeyStore(`sqlite:${join(dir, 'keys.db')}`)
        : new KeyStore(PG_URL, { schema });
    keyStores.push(keys);
    return new ProtectedEventStore(inner, keys, missivePersonalData, {
      erasures: missiveErasures,
    });
  };
  const done = async () => {
    for (const keys of keyStores) await keys.close();
    await inner.close();
    if (engine === 'postgres') {
      const admin = createDatabase(PG_URL, { poolSize: 1 });
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      await admin.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { inner, open, done };
}

async function appends(engine: Engine, sealed: boolean): Promise<void> {
  const stores = await freshStores(engine, sealed);
  const store = stores.open();
  try {
    const perWriter = Math.ceil(APPENDS / WRITERS);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await store.append(`conversation-${w}`, [message(w * perWriter + i)]);
        }
      }),
    );
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const events = perWriter * WRITERS;
    report({
      bench: 'protection.append.single',
      engine,
      sealed,
      writers: WRITERS,
      events,
      errors: 0,
      eventsPerSec: Math.round((events / ms) * 1000),
      clientCpuUsPerEvent: +((used.user + used.system) / events).toFixed(1),
    });
  } finally {
    await stores.done();
  }
}

async function reads(engine: Engine, sealed: boolean): Promise<void> {
  const stores = await freshStores(engine, sealed);
  try {
    // Filled through a sealing store when sealed, so that the read has something to open.
    const writer = stores.open();
    for (let b = 0; b < READ_EVENTS; b += 1000) {
      await Promise.all(
        Array.from({ length: 10 }, (_, s) =>
          writer.append(
            `conversation-${b / 100 + s}`,
            Array.from({ length: 100 }, (_, i) => message(b + s * 100 + i)),
          ),
        ),
      );
    }
    // A reader of its own: nothing it opens was opened before.
    const reader = sealed ? stores.open() : stores.inner;
    const started = performance.now();
    const cpu = process.cpuUsage();
    let read = 0;
    for await (const event of reader.readAll()) if (event.type === 'MessageAdded') read += 1;
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (read !== READ_EVENTS) throw new Error(`read ${read} of ${READ_EVENTS} events`);
    report({
      bench: 'protection.readAll',
      engine,
      sealed,
      events: read,
      errors: 0,
      eventsPerSec: Math.round((read / ms) * 1000),
      clientCpuUsPerEvent: +((used.user + used.system) / read).toFixed(1),
    });
  } finally {
    await stores.done();
  }
}

async function main(): Promise<void> {
  for (const engine of ENGINES as Engine[]) {
    for (const sealed of [false, true, false, true]) await appends(engine, sealed);
    for (const sealed of [false, true, false, true]) await reads(engine, sealed);
  }
}

main().catch((error: unknown) => {
  console.error('BENCH FAILED:', error instanceof Error ? error.message : error);
  process.exit(1);
});
