import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedEvent, Subscription } from '../eventStore';
import { comparePositions } from '../position';
import { collect, waitFor } from '../testing/eventStoreContract';
import { PostgresEventStore } from './postgresEventStore';
import { type TestSchema, createTestSchemaName } from './testing/testSchema';

// The child processes load the built package: run `npm run build` first (CI builds before it tests).
const DIST = join(__dirname, '..', '..', 'dist', 'index.js');
const PROCESSES = 2;
const STORES_PER_PROCESS = 2; // one appending connection each: 4 connections in all
const WRITERS_PER_STORE = 8;
const APPENDS_PER_WRITER = 40;

/**
 * Each writer appends 1 to 3 events per call, alternating between its own stream (exact
 * expected revision) and streams shared by everybody (`any`), so transactions of different
 * sizes from different processes interleave.
 */
const CHILD = `
const { randomUUID } = require('node:crypto');
const { PostgresEventStore } = require(process.argv[1]);
const [url, schema, proc, stores, writers, appends] = process.argv.slice(2);
(async () => {
  let events = 0;
  const opened = Array.from({ length: Number(stores) }, () =>
    new PostgresEventStore({ connectionString: url, schema, poolSize: 2 }));
  await Promise.all(opened.flatMap((store, s) =>
    Array.from({ length: Number(writers) }, async (_, w) => {
      let revision = 'no_stream';
      for (let i = 0; i < Number(appends); i++) {
        const batch = Array.from({ length: 1 + ((i + w) % 3) }, (_, k) => ({
          id: randomUUID(), type: 'Ordered', data: { proc, s, w, i, k },
        }));
        if (i % 2 === 0) {
          const result = await store.append('order-' + proc + '-' + s + '-' + w, batch, { expectedRevision: revision });
          revision = result.nextExpectedRevision;
        } else {
          await store.append('shared-' + (i % 5), batch);
        }
        events += batch.length;
      }
    })));
  await Promise.all(opened.map((store) => store.close()));
  process.stdout.write(JSON.stringify({ events }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

let test: TestSchema;
const stores: PostgresEventStore[] = [];
const open = (pollIntervalMs: number): PostgresEventStore => {
  const store = new PostgresEventStore({
    connectionString: test.url,
    schema: test.schema,
    pollIntervalMs,
  });
  stores.push(store);
  return store;
};

beforeAll(async () => {
  test = await createTestSchemaName('es_order');
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await test?.drop();
});

describe('PostgresEventStore global order', () => {
  it('delivers every event exactly once, in position order, to catch-up subscribers while 2 processes append on 4 connections', async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
    const reader = open(20);
    // Subscribers started before any write, one with a category filter, one that only hears
    // of commits by polling slowly (NOTIFY does the waking), and a projector-style pager.
    const all = follow(reader.subscribe());
    const shared = follow(reader.subscribe({ filter: { streamPrefixes: ['shared-'] } }));
    const notified = follow(open(60_000).subscribe());
    const pager = pageReadAll(reader);

    const children = Array.from({ length: PROCESSES }, (_, proc) => runChild(proc));
    // One more catch-up subscriber joins once the log is moving.
    await waitFor(() => all.events.length > 100);
    const late = follow(reader.subscribe());
    const written = (await Promise.all(children)).reduce((sum, n) => sum + n, 0);

    const final = await collect(reader.readAll());
    expect(final).toHaveLength(written);
    expect(written).toBeGreaterThan(PROCESSES * STORES_PER_PROCESS * WRITERS_PER_STORE);
    const finalIds = final.map((e) => e.id);
    const sharedIds = final.filter((e) => e.streamId.startsWith('shared-')).map((e) => e.id);
    for (const [subscriber, expected] of [
      [all, finalIds],
      [late, finalIds],
      [notified, finalIds],
      [shared, sharedIds],
    ] as const) {
      await waitFor(() => subscriber.events.length >= expected.length);
      expect(subscriber.events.map((e) => e.id)).toEqual(expected);
      expectIncreasing(subscriber.events);
      await subscriber.subscription.close();
      await subscriber.done;
    }
    pager.stop = true;
    const paged = await pager.done;
    expect(paged.map((e) => e.id)).toEqual(finalIds);
    // Positions are gap-free: 1..n.
    expect(final.map((e) => Number(e.position.commit))).toEqual(
      Array.from({ length: written }, (_, i) => i + 1),
    );
  }, 120_000);
});

interface Follower {
  readonly subscription: Subscription;
  readonly events: RecordedEvent[];
  readonly done: Promise<void>;
}

function follow(subscription: Subscription): Follower {
  const events: RecordedEvent[] = [];
  const done = (async () => {
    for await (const event of subscription) events.push(event);
  })();
  return { subscription, events, done };
}

/** Reads `readAll` page after page from the last position seen, as a projector does. */
function pageReadAll(store: PostgresEventStore): { stop: boolean; done: Promise<RecordedEvent[]> } {
  const state = { stop: false, done: Promise.resolve([] as RecordedEvent[]) };
  state.done = (async () => {
    const seen: RecordedEvent[] = [];
    for (;;) {
      const stopping = state.stop;
      const from = seen.length > 0 ? seen[seen.length - 1]!.position : 'start';
      const page = await collect(store.readAll({ fromPosition: from, maxCount: 50 }));
      seen.push(...page);
      if (page.length === 0) {
        if (stopping) return seen;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  })();
  return state;
}

function expectIncreasing(events: readonly RecordedEvent[]): void {
  for (let i = 1; i < events.length; i++) {
    if (comparePositions(events[i - 1]!.position, events[i]!.position) >= 0) {
      throw new Error(
        `out of order at ${i}: ${events[i - 1]!.position.commit} then ${events[i]!.position.commit}`,
      );
    }
  }
}

function runChild(proc: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        CHILD,
        DIST,
        test.url,
        test.schema,
        String(proc),
        String(STORES_PER_PROCESS),
        String(WRITERS_PER_STORE),
        String(APPENDS_PER_WRITER),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`append process ${proc} exited with ${code}: ${err}`));
      else resolve((JSON.parse(out) as { events: number }).events);
    });
  });
}
