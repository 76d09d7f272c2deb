import { Client } from 'pg';
import type { RecordedEvent } from '../eventStore';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { collect, event, rejectionOf, take, waitFor } from '../testing/eventStoreContract';
import { LISTENER_APPLICATION_NAME } from './commitListener';
import { PostgresEventStore } from './postgresEventStore';
import { PG_TEST_URL, type TestSchema, createTestSchemaName } from './testing/testSchema';

let test: TestSchema;
const opened: PostgresEventStore[] = [];
// Long enough that only a notification (or a local commit) can wake a subscriber in a test.
const NEVER_POLL_MS = 3_600_000;

function open(options: { pollIntervalMs?: number; schema?: string } = {}): PostgresEventStore {
  const store = new PostgresEventStore({
    connectionString: PG_TEST_URL,
    schema: options.schema ?? test.schema,
    pollIntervalMs: options.pollIntervalMs ?? 50,
  });
  opened.push(store);
  return store;
}

beforeAll(async () => {
  test = await createTestSchemaName('es_pg');
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  await test?.drop();
});

describe('PostgresEventStore', () => {
  it('creates its schema once when several stores start together', async () => {
    const fresh = await createTestSchemaName('es_ddl');
    try {
      const stores = Array.from({ length: 4 }, () => open({ schema: fresh.schema }));
      await Promise.all(stores.map((store) => store.ready()));
      await Promise.all(stores.map((store, i) => store.append(`ddl-${i}`, [event()])));
      expect(await collect(stores[0]!.readAll())).toHaveLength(4);
    } finally {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await fresh.drop();
    }
  });

  it('groups concurrent appends into shared transactions with gap-free positions', async () => {
    const store = open();
    const head = await store.headPosition();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.append(`group-${i}`, [event()], { expectedRevision: 'no_stream' }),
      ),
    );

    const stats = store.stats();
    expect(stats.appends).toBe(200);
    expect(stats.events).toBe(200);
    expect(stats.transactions).toBeLessThan(200);
    const positions = results.map((r) => r.position.commit).sort((a, b) => (a < b ? -1 : 1));
    const first = head === 'start' ? 1n : head.commit + 1n;
    expect(positions).toEqual(Array.from({ length: 200 }, (_, i) => first + BigInt(i)));
  });

  it('rejects only the conflicting append of a shared transaction', async () => {
    const store = open();
    await store.append('conflict-1', [event()], { expectedRevision: 'no_stream' });

    const [ok, stale, other, retried] = await Promise.allSettled([
      store.append('conflict-1', [event()], { expectedRevision: 0 }),
      store.append('conflict-1', [event()], { expectedRevision: 0 }),
      store.append('conflict-2', [event()], { expectedRevision: 'no_stream' }),
      store.append('conflict-2', [event()], { expectedRevision: 'no_stream' }),
    ]);

    expect(ok.status).toBe('fulfilled');
    expect(other.status).toBe('fulfilled');
    expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(retried.status === 'rejected' && retried.reason).toMatchObject({ actual: 0 });
    expect(await collect(store.readStream('conflict-1'))).toHaveLength(2);
    expect(await collect(store.readStream('conflict-2'))).toHaveLength(1);
  });

  it('decides each append of a shared transaction on its own stream by its expected revision', async () => {
    const store = open();
    await store.append('mixed-exact', [event()], { expectedRevision: 'no_stream' });
    await store.append('mixed-taken', [event()], { expectedRevision: 'no_stream' });
    const head = await store.headPosition();
    const base = head === 'start' ? 0n : head.commit;

    const outcomes = await Promise.allSettled([
      store.append('mixed-exact', [event(), event()], { expectedRevision: 0 }),
      store.append('mixed-stale', [event()], { expectedRevision: 3 }),
      store.append('mixed-taken', [event()], { expectedRevision: 'no_stream' }),
      store.append('mixed-missing', [event()], { expectedRevision: 'stream_exists' }),
      store.append('mixed-any', [event(), event(), event()], { expectedRevision: 'any' }),
      store.append('mixed-new', [event()], { expectedRevision: 'no_stream' }),
    ]);

    expect(store.stats().transactions).toBe(3);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual([
      { nextExpectedRevision: 2, position: { commit: base + 2n, prepare: base + 2n } },
      expect.objectContaining({ stream: 'mixed-stale', expected: 3, actual: 'no_stream' }),
      expect.objectContaining({ stream: 'mixed-taken', expected: 'no_stream', actual: 0 }),
      expect.objectContaining({ stream: 'mixed-missing', expected: 'stream_exists' }),
      { nextExpectedRevision: 2, position: { commit: base + 5n, prepare: base + 5n } },
      { nextExpectedRevision: 0, position: { commit: base + 6n, prepare: base + 6n } },
    ]);
    const stored = await collect(
      store.readAll({ fromPosition: head === 'start' ? undefined : head }),
    );
    expect(stored.map((e) => [e.streamId, e.revision, e.position.commit])).toEqual([
      ['mixed-exact', 1, base + 1n],
      ['mixed-exact', 2, base + 2n],
      ['mixed-any', 0, base + 3n],
      ['mixed-any', 1, base + 4n],
      ['mixed-any', 2, base + 5n],
      ['mixed-new', 0, base + 6n],
    ]);
  });

  it('treats the same ids twice in one transaction as one append', async () => {
    const store = open();
    const events = [event(), event()];
    const [first, second] = await Promise.all([
      store.append('twice-1', events, { expectedRevision: 'no_stream' }),
      store.append('twice-1', events, { expectedRevision: 'no_stream' }),
    ]);
    expect(second).toEqual(first);
    expect(await collect(store.readStream('twice-1'))).toHaveLength(2);
  });

  it('wakes a subscriber in another store through NOTIFY, without polling', async () => {
    const reader = open({ pollIntervalMs: NEVER_POLL_MS });
    const writer = open();
    const from = await writer.headPosition();
    const subscription = reader.subscribe({
      fromPosition: from,
      filter: { streamPrefixes: ['notified-'] },
    });
    const received = take(subscription, 2);
    // Wait until the LISTEN is in place: a NOTIFY sent before it is not delivered.
    await waitFor(async () => (await listeners()) > 0);

    await writer.append('notified-1', [event('First')]);
    await writer.append('notified-1', [event('Second')]);

    expect((await received).map((e) => e.type)).toEqual(['First', 'Second']);
  });

  it('tells onAppended listeners of commits made by another store', async () => {
    const reader = open({ pollIntervalMs: NEVER_POLL_MS });
    const writer = open();
    let heard = 0;
    const stop = reader.onAppended(() => (heard += 1));
    await waitFor(async () => (await listeners()) > 0);
    const before = heard;

    await writer.append('heard-1', [event()]);

    await waitFor(() => heard > before);
    stop();
  });

  it('listens again after its connection is killed, and the subscriber misses nothing', async () => {
    const reader = open({ pollIntervalMs: NEVER_POLL_MS });
    const writer = open();
    const from = await writer.headPosition();
    const subscription = reader.subscribe({
      fromPosition: from,
      filter: { streamPrefixes: ['killed-'] },
    });
    const received: RecordedEvent[] = [];
    const done = (async () => {
      for await (const e of subscription) received.push(e);
    })();
    await waitFor(async () => (await listeners()) > 0);

    expect(await terminateListeners()).toBeGreaterThan(0);
    // Written while nobody listens: the reconnect itself wakes the subscriber.
    await writer.append('killed-1', [event('WhileDown')]);
    await waitFor(async () => (await listeners()) > 0);
    await writer.append('killed-1', [event('AfterReconnect')]);

    await waitFor(() => received.length >= 2);
    expect(received.map((e) => e.type)).toEqual(['WhileDown', 'AfterReconnect']);
    await subscription.close();
    await done;
  });

  it('recovers appends and reads after its pooled connections are killed', async () => {
    const store = open();
    await store.append('recover-1', [event()]);
    await collect(store.readStream('recover-1'));
    // Pooled connections whose last query read this run's schema.
    expect(await terminate(`query LIKE '%"${test.schema}"%'`)).toBeGreaterThan(0);

    // The first use of a killed pooled connection may fail; the pool replaces it.
    const retry = async <T>(work: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (error) {
          if (attempt >= 10) throw error;
        }
      }
    };
    const second = event();
    await retry(() => store.append('recover-1', [second]));
    // A retry after a lost answer never duplicates: the ids are found and the result returned.
    await store.append('recover-1', [second]);
    const read = await retry(() => collect(store.readStream('recover-1')));
    expect(read).toHaveLength(2);
  });

  it('stores data with any JSON text, a NUL escape included', async () => {
    const store = open();
    const data = { text: 'a\u0000b', emoji: '😀', nested: { list: [1, null, 'x'] } };
    await store.append('json-1', [event('Json', data)]);
    const [read] = await collect(store.readStream('json-1'));
    expect(read!.data).toEqual(data);
  });

  it('validates a stream maxAge and keeps the events (the read models enforce retention)', async () => {
    const store = open();
    await store.append('outbound-1', [event()]);
    await store.setStreamMaxAge('outbound-1', 1);
    expect(await collect(store.readStream('outbound-1'))).toHaveLength(1);
    expect(await rejectionOf(store.setStreamMaxAge('outbound-1', 0.5))).toBeInstanceOf(RangeError);
  });
});

async function adminQuery<T>(sql: string): Promise<T[]> {
  const url = new URL(PG_TEST_URL);
  if (!url.username) url.username = process.env.PGUSER || process.env.USER || 'postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** LISTEN connections on this schema's channel (other test runs use other channels). */
async function listeners(): Promise<number> {
  const rows = await adminQuery<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE application_name = '${LISTENER_APPLICATION_NAME}' AND query LIKE 'LISTEN "${opened[0]!.names.channel}"'`,
  );
  return Number(rows[0]!.n);
}

function terminateListeners(): Promise<number> {
  return terminate(
    `application_name = '${LISTENER_APPLICATION_NAME}' AND query LIKE 'LISTEN "${opened[0]!.names.channel}"'`,
  );
}

/** Kills connections that match: callers name this run's schema or channel, never another run's. */
async function terminate(where: string): Promise<number> {
  const rows = await adminQuery<{ n: string }>(
    `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE pid <> pg_backend_pid() AND datname = current_database() AND ${where}`,
  );
  return Number(rows[0]!.n);
}
