import type { RecordedEvent } from '../eventStore';
import { collect, event, take } from '../testing/contractHelpers';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqliteEventStore';

// What the SQLite adapter adds to the contract on the read side: reads that span many pages,
// counts at and below zero, filters that select nothing or everything, a filter whose matches
// sit beyond one scan window, and subscriptions woken by local commits.

const stores: SqliteEventStore[] = [];

function open(options: Partial<SqliteEventStoreOptions> = {}): SqliteEventStore {
  const store = new SqliteEventStore({ path: ':memory:', ...options });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const revisions = (events: RecordedEvent[]) => events.map((e) => e.revision);
const types = (events: RecordedEvent[]) => events.map((e) => e.type);

/** Long enough that only a wake-up, never the poll, can move a subscription within a test. */
const HOUR_MS = 3_600_000;

describe('SqliteEventStore reads over several pages', () => {
  it('reads a stream forwards and backwards, from a revision and up to a count', async () => {
    const store = open({ readPageSize: 2 });
    await store.append('doc-1', [event(), event(), event(), event(), event()]);
    const read = (options: Parameters<typeof store.readStream>[1]) =>
      collect(store.readStream('doc-1', options)).then(revisions);

    expect(await read({})).toEqual([0, 1, 2, 3, 4]);
    expect(await read({ direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
    expect(await read({ fromRevision: 1, maxCount: 3 })).toEqual([1, 2, 3]);
    expect(await read({ direction: 'backwards', fromRevision: 3, maxCount: 3 })).toEqual([3, 2, 1]);
    expect(await read({ maxCount: 4 })).toEqual([0, 1, 2, 3]);
  });

  it('reads nothing for a count of zero or less, or from a revision below zero', async () => {
    const store = open({ readPageSize: 2 });
    await store.append('doc-1', [event(), event(), event()]);

    for (const options of [{ maxCount: 0 }, { maxCount: -1 }, { fromRevision: -1 }]) {
      expect(await collect(store.readStream('doc-1', options))).toEqual([]);
    }
    for (const filter of [undefined, { streamPrefixes: ['doc-'] }]) {
      expect(await collect(store.readAll({ maxCount: 0, filter }))).toEqual([]);
      expect(await collect(store.readAll({ maxCount: -1, filter }))).toEqual([]);
    }
  });

  it('reads with a page size of at least one row', async () => {
    const store = open({ readPageSize: 0 });
    await store.append('doc-1', [event(), event(), event()]);

    expect(revisions(await collect(store.readStream('doc-1')))).toEqual([0, 1, 2]);
    expect(await collect(store.readAll())).toHaveLength(3);
  });

  it('reads the whole log when it fills its last page exactly, and nothing when it is empty', async () => {
    const store = open({ readPageSize: 2 });
    expect(await collect(store.readAll())).toEqual([]);
    await store.append('doc-1', [event('A'), event('B')]);
    await store.append('doc-2', [event('C'), event('D')]);

    expect(types(await collect(store.readAll()))).toEqual(['A', 'B', 'C', 'D']);
    expect(types(await collect(store.readAll({ maxCount: 3 })))).toEqual(['A', 'B', 'C']);
  });
});

describe('SqliteEventStore filters', () => {
  it('selects nothing with no prefix or no type, and any of several types', async () => {
    const store = open();
    await store.append('doc-1', [event('A'), event('B'), event('C')]);

    expect(await collect(store.readAll({ filter: { streamPrefixes: [] } }))).toEqual([]);
    expect(await collect(store.readAll({ filter: { eventTypes: [] } }))).toEqual([]);
    const ac = await collect(store.readAll({ filter: { eventTypes: ['A', 'C'] } }));
    expect(types(ac)).toEqual(['A', 'C']);
    const both = { streamPrefixes: ['doc-', 'other-'], eventTypes: ['B', 'C'] };
    expect(types(await collect(store.readAll({ filter: both })))).toEqual(['B', 'C']);
  });

  it('finds a match beyond the first scan window of a filtered read', async () => {
    const store = open();
    // More rows than one filtered query scans (16,384), none of them wanted.
    for (let i = 0; i < 5; i++) {
      await store.append(
        `other-${i}`,
        Array.from({ length: 4000 }, () => event('Noise')),
      );
    }
    await store.append('wanted-1', [event('Wanted')]);
    const filter = { streamPrefixes: ['wanted-'] };

    expect(types(await collect(store.readAll({ filter })))).toEqual(['Wanted']);
    expect(types(await take(store.subscribe({ filter }), 1))).toEqual(['Wanted']);
  });
});

describe('SqliteEventStore subscriptions', () => {
  it('is woken by a local commit without waiting for its poll', async () => {
    const store = open({ pollIntervalMs: HOUR_MS });
    const subscription = store.subscribe();
    const received = take(subscription, 2);
    // Caught up on an empty log, the subscription now waits; only the commits can wake it.
    await store.append('doc-1', [event('A')]);
    await store.append('doc-2', [event('B')]);

    expect(types(await received)).toEqual(['A', 'B']);
  });

  it('ends a waiting iteration at once when it, or the store, is closed', async () => {
    const store = open({ pollIntervalMs: HOUR_MS });
    const first = store.subscribe();
    const second = store.subscribe();
    const firstDone = collect(first);
    const secondDone = collect(second);

    await first.close();
    expect(await firstDone).toEqual([]);
    await store.close();
    expect(await secondDone).toEqual([]);
  });

  it('stops within a page when closed from inside the loop', async () => {
    const store = open();
    await store.append('doc-1', [event('A'), event('B'), event('C')]);
    const subscription = store.subscribe();

    const received: string[] = [];
    for await (const e of subscription) {
      received.push(e.type);
      await subscription.close();
    }

    expect(received).toEqual(['A']);
  });

  it('counts open subscriptions, closing one whose iteration is left or ended', async () => {
    const store = open({ pollIntervalMs: HOUR_MS });
    await store.append('doc-1', [event('A')]);
    const left = store.subscribe();
    const closed = store.subscribe();
    expect(store.stats().subscriptions).toBe(2);

    expect(types(await take(left, 1))).toEqual(['A']);
    expect(store.stats().subscriptions).toBe(1);
    await closed.close();
    expect(store.stats().subscriptions).toBe(0);
  });

  it('is iterated only once', () => {
    const subscription = open().subscribe();
    subscription[Symbol.asyncIterator]();

    expect(() => subscription[Symbol.asyncIterator]()).toThrow(
      new Error('a subscription can be iterated only once'),
    );
  });
});
