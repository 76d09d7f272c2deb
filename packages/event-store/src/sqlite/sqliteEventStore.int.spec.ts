import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import {
  collect,
  describeEventStoreContract,
  event,
  rejectionOf,
  take,
} from '../testing/eventStoreContract';
import { SQLITE_LOG_MMAP_BYTES } from './openSqliteDatabase';
import { SqliteEventStore } from './sqliteEventStore';

let dir: string;
let files = 0;
const nextFile = (): string => join(dir, `events-${++files}.db`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'missive-event-store-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeEventStoreContract('SQLite (temp file)', () => new SqliteEventStore({ path: nextFile() }));
describeEventStoreContract('SQLite (:memory:)', () => new SqliteEventStore({ path: ':memory:' }));

describe('SqliteEventStore', () => {
  let store: SqliteEventStore;
  let path: string;

  beforeEach(() => {
    path = nextFile();
    store = new SqliteEventStore({ path, pollIntervalMs: 10 });
  });

  afterEach(async () => {
    await store.close();
  });

  it('opens the file with WAL, synchronous=FULL and a busy timeout', () => {
    expect(store.pragmas()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      busyTimeout: 5000,
      mmapSize: SQLITE_LOG_MMAP_BYTES,
      walAutocheckpoint: 4000,
    });
  });

  it('accepts a stream maxAge and keeps the events (the read models enforce retention)', async () => {
    await store.append('outbound-1', [event()]);
    await store.setStreamMaxAge('outbound-1', 1);

    expect(await collect(store.readStream('outbound-1'))).toHaveLength(1);
    await expect(store.setStreamMaxAge('outbound-1', 0.5)).rejects.toThrow(RangeError);
  });

  it('groups concurrent appends into shared transactions', async () => {
    const appends = 200;

    const results = await Promise.all(
      Array.from({ length: appends }, (_, i) =>
        store.append(`conversation-${i}`, [event()], { expectedRevision: 'no_stream' }),
      ),
    );

    const stats = store.stats();
    expect(results.every((r) => r.nextExpectedRevision === 0)).toBe(true);
    expect(stats.appends).toBe(appends);
    expect(stats.events).toBe(appends);
    expect(stats.transactions).toBeLessThan(appends);
    expect(stats.transactions).toBeGreaterThanOrEqual(1);
    // Positions are distinct: every append got its own place in the one sequence.
    expect(new Set(results.map((r) => r.position.commit)).size).toBe(appends);
  });

  it('rolls back only the conflicting append of a shared transaction', async () => {
    await store.append('conversation-1', [event()], { expectedRevision: 'no_stream' });
    const before = store.stats().transactions;

    const outcomes = await Promise.allSettled([
      store.append('conversation-2', [event()], { expectedRevision: 'no_stream' }),
      store.append('conversation-1', [event(), event(), event()], { expectedRevision: 5 }),
      store.append('conversation-3', [event(), event()], { expectedRevision: 'no_stream' }),
    ]);

    expect(store.stats().transactions).toBe(before + 1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    expect(await collect(store.readStream('conversation-1'))).toHaveLength(1);
    expect(await collect(store.readStream('conversation-3'))).toHaveLength(2);
    expect(store.stats().conflicts).toBe(1);
  });

  it('sees earlier appends of the same transaction when checking revisions', async () => {
    const outcomes = await Promise.allSettled([
      store.append('conversation-1', [event()], { expectedRevision: 'no_stream' }),
      store.append('conversation-1', [event()], { expectedRevision: 0 }),
      store.append('conversation-1', [event()], { expectedRevision: 0 }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ actual: 1 });
  });

  it('treats a retry racing its original in one transaction as idempotent', async () => {
    const events = [event(), event()];

    const [original, retry] = await Promise.all([
      store.append('conversation-1', events, { expectedRevision: 'no_stream' }),
      store.append('conversation-1', events, { expectedRevision: 'no_stream' }),
    ]);

    expect(retry).toEqual(original);
    expect(await collect(store.readStream('conversation-1'))).toHaveLength(2);
  });

  it('keeps appended events after closing and reopening the file', async () => {
    const events = [event('Kept', { n: 1 })];
    const result = await store.append('conversation-1', events, { expectedRevision: 'no_stream' });
    await store.close();

    store = new SqliteEventStore({ path });
    const read = await collect(store.readStream('conversation-1'));
    expect(read.map((e) => [e.id, e.data])).toEqual([[events[0]!.id, { n: 1 }]]);
    expect(await store.headPosition()).toEqual(result.position);
  });

  it('answers appends queued before close and rejects appends after it', async () => {
    const pending = store.append('conversation-1', [event()]);
    await store.close();

    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0 });
    expect(await rejectionOf(store.append('conversation-1', [event()]))).toBeInstanceOf(Error);
  });

  it('rejects an empty append or an unserializable payload without touching others', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;

    const outcomes = await Promise.allSettled([
      store.append('conversation-1', []),
      store.append('conversation-1', [event('Bad', cyclic)]),
      store.append('conversation-1', [event()]),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('reads across page boundaries with a filter that rejects most rows', async () => {
    const small = new SqliteEventStore({ path: ':memory:', readPageSize: 3 });
    try {
      for (let i = 0; i < 20; i++) {
        await small.append(i % 5 === 0 ? `wanted-${i}` : `other-${i}`, [event('N', { i })]);
      }
      const wanted = await collect(small.readAll({ filter: { streamPrefixes: ['wanted-'] } }));
      const all = await collect(small.readAll());
      const backwards = await collect(small.readStream('other-1', { direction: 'backwards' }));

      expect(wanted.map((e) => (e.data as { i: number }).i)).toEqual([0, 5, 10, 15]);
      expect(all).toHaveLength(20);
      expect(backwards).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  describe('with a second instance on the same file (as another process would)', () => {
    let other: SqliteEventStore;

    beforeEach(() => {
      other = new SqliteEventStore({ path, pollIntervalMs: 10 });
    });

    afterEach(async () => {
      await other.close();
    });

    it("sees the first instance's appends through subscription polling", async () => {
      const subscription = other.subscribe({ filter: { streamPrefixes: ['conversation-'] } });
      const received = take(subscription, 3);

      await store.append('conversation-1', [event('A')]);
      await store.append('user-1', [event('Ignored')]);
      await store.append('conversation-2', [event('B'), event('C')]);

      expect((await received).map((e) => e.type)).toEqual(['A', 'B', 'C']);
    });

    it('rejects a stale revision even after caching the stream head', async () => {
      await other.append('conversation-1', [event()], { expectedRevision: 'no_stream' });
      // `store` caches the head (revision 0) through its own append...
      await store.append('conversation-1', [event()], { expectedRevision: 0 });
      // ...then the other instance moves the stream on behind its back.
      await other.append('conversation-1', [event()], { expectedRevision: 1 });

      const error = await rejectionOf(
        store.append('conversation-1', [event()], { expectedRevision: 1 }),
      );
      const next = await store.append('conversation-1', [event()], { expectedRevision: 2 });

      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ expected: 1, actual: 2 });
      expect(next.nextExpectedRevision).toBe(3);
      expect(await collect(other.readStream('conversation-1'))).toHaveLength(4);
    });

    it('shares one global sequence between both writers', async () => {
      const a = await store.append('conversation-1', [event()]);
      const b = await other.append('conversation-2', [event()]);
      const c = await store.append('conversation-3', [event()]);

      expect([a, b, c].map((r) => r.position.commit)).toEqual([1n, 2n, 3n]);
    });
  });
});
