import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ReadStreamOptions,
  RecordedEvent,
} from '@missive/event-store';
import { WrongExpectedVersionError } from '@missive/event-store';
import type { DomainEvent } from '@missive/domain';
import { AggregateCache } from './aggregateCache';
import { execute, load } from './eventSourcing';

/** Streams in memory, recording where each read started (the cache's whole point). */
class MemoryStore implements EventStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  readonly reads: { stream: string; fromRevision: number }[] = [];
  private position = 0n;

  async append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const existing = this.streams.get(stream) ?? [];
    const actual = existing.length === 0 ? 'no_stream' : existing.length - 1;
    const expected = options?.expectedRevision ?? 'any';
    if (expected !== 'any' && expected !== actual) {
      throw new WrongExpectedVersionError(stream, expected, actual);
    }
    for (const e of events) {
      this.position++;
      existing.push({
        id: e.id,
        type: e.type,
        streamId: stream,
        revision: existing.length,
        position: { commit: this.position, prepare: this.position },
        data: e.data,
        metadata: e.metadata ?? {},
        created: new Date(0),
      });
    }
    this.streams.set(stream, existing);
    return {
      nextExpectedRevision: existing.length - 1,
      position: { commit: this.position, prepare: this.position },
    };
  }

  async *readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    const from = options?.fromRevision ?? 0;
    this.reads.push({ stream, fromRevision: from });
    yield* (this.streams.get(stream) ?? []).slice(from);
  }

  readAll(): AsyncIterable<RecordedEvent> {
    throw new Error('not used');
  }
  subscribe(): never {
    throw new Error('not used');
  }
  async headPosition(): Promise<'start'> {
    return 'start';
  }
  async close(): Promise<void> {}
}

type Added = DomainEvent<'Added', { item: string }>;
interface Bag {
  readonly items: ReadonlySet<string>;
  readonly folds: number;
}

/** Grows its set in place, copying it first when frozen, as @missive/domain's grownSet does. */
function evolveBag(state: Bag | null, event: Added): Bag {
  const items = (state?.items ?? new Set<string>()) as Set<string>;
  const grown = Object.isFrozen(items) ? new Set(items) : items;
  grown.add(event.data.item);
  return { items: grown, folds: (state?.folds ?? 0) + 1 };
}

const ctx = { actorUserId: null, correlationId: 'c', causationId: 'test' };
const added = (item: string): Added => ({ type: 'Added', data: { item } });

async function seeded(items: string[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const item of items) {
    await store.append('bag-1', [{ id: item, type: 'Added', data: { item } }]);
  }
  return store;
}

describe('load with an aggregate cache', () => {
  it('folds the whole stream once, then reads only the events after the cached revision', async () => {
    const store = await seeded(['a', 'b', 'c']);
    const cache = new AggregateCache();
    const first = await load(store, 'bag-1', evolveBag, { cache });
    expect(first.revision).toBe(2);
    expect(first.state?.folds).toBe(3);

    const second = await load(store, 'bag-1', evolveBag, { cache });
    expect(second).toEqual(first);
    expect(store.reads).toEqual([
      { stream: 'bag-1', fromRevision: 0 },
      { stream: 'bag-1', fromRevision: 3 },
    ]);
    expect(cache.stats).toMatchObject({ hits: 1, misses: 1 });
  });

  it('folds the tail written since (by anyone) onto the cached state without changing it', async () => {
    const store = await seeded(['a', 'b']);
    const cache = new AggregateCache();
    const before = await load(store, 'bag-1', evolveBag, { cache });
    // Another process appends: only the event store knows.
    await store.append('bag-1', [{ id: 'c', type: 'Added', data: { item: 'c' } }]);

    const after = await load(store, 'bag-1', evolveBag, { cache });
    expect(after.revision).toBe(2);
    expect([...after.state!.items]).toEqual(['a', 'b', 'c']);
    expect(after.state!.folds).toBe(3);
    expect(store.reads.at(-1)).toEqual({ stream: 'bag-1', fromRevision: 2 });
    // The state handed out earlier is the cached one: still exactly as it was.
    expect([...before.state!.items]).toEqual(['a', 'b']);
    expect(cache.get<Bag>('bag-1', evolveBag)?.revision).toBe(2);
  });

  it('caches nothing for a stream that does not exist', async () => {
    const store = new MemoryStore();
    const cache = new AggregateCache();
    expect(await load(store, 'bag-9', evolveBag, { cache })).toEqual({
      state: null,
      revision: 'no_stream',
    });
    expect(cache.size).toBe(0);
  });

  it('starts from the first event again once the stream was evicted', async () => {
    const store = await seeded(['a']);
    await store.append('bag-2', [{ id: 'x', type: 'Added', data: { item: 'x' } }]);
    const cache = new AggregateCache(1);
    await load(store, 'bag-1', evolveBag, { cache });
    await load(store, 'bag-2', evolveBag, { cache }); // evicts bag-1
    const again = await load(store, 'bag-1', evolveBag, { cache });
    expect([...again.state!.items]).toEqual(['a']);
    expect(store.reads.at(-1)).toEqual({ stream: 'bag-1', fromRevision: 0 });
    expect(cache.stats.evictions).toBe(2);
  });

  it('turns an evolve that mutates a cached state in place into an error', async () => {
    const store = await seeded(['a']);
    const cache = new AggregateCache();
    const mutating = (state: { n: number } | null): { n: number } => {
      if (!state) return { n: 1 };
      (state as { n: number }).n++;
      return state;
    };
    await load(store, 'bag-1', mutating, { cache });
    await store.append('bag-1', [{ id: 'b', type: 'Added', data: { item: 'b' } }]);
    await expect(load(store, 'bag-1', mutating, { cache })).rejects.toThrow(TypeError);
    expect(cache.get<{ n: number }>('bag-1', mutating)).toEqual({
      revision: 0,
      state: { n: 1 },
    });
  });
});

describe('execute with an aggregate cache', () => {
  it('retries a lost race from the cached state plus the competing write', async () => {
    const store = await seeded(['a']);
    const cache = new AggregateCache();
    const seen: string[][] = [];
    const { result } = await execute(
      store,
      'bag-1',
      evolveBag,
      async (state) => {
        seen.push([...state!.items]);
        // The first attempt loses: someone appends between its load and its append.
        if (seen.length === 1) {
          await store.append('bag-1', [{ id: 'z', type: 'Added', data: { item: 'z' } }]);
        }
        return state!.items.has('mine') ? [] : [added('mine')];
      },
      ctx,
      { cache },
    );
    expect(seen).toEqual([['a'], ['a', 'z']]);
    expect(result?.nextExpectedRevision).toBe(2);
    expect([...(await load(store, 'bag-1', evolveBag, { cache })).state!.items]).toEqual([
      'a',
      'z',
      'mine',
    ]);
  });

  it('leaves the cache as it was when the decision refuses', async () => {
    const store = await seeded(['a', 'b']);
    const cache = new AggregateCache();
    await expect(
      execute(
        store,
        'bag-1',
        evolveBag,
        () => {
          throw new Error('refused');
        },
        ctx,
        { cache },
      ),
    ).rejects.toThrow('refused');
    const cached = cache.get<Bag>('bag-1', evolveBag);
    expect(cached?.revision).toBe(1);
    expect([...cached!.state.items]).toEqual(['a', 'b']);
  });

  it('still takes a clock as its last argument', async () => {
    const store = await seeded([]);
    const at = new Date('2026-01-01T00:00:00Z');
    await execute(
      store,
      'bag-1',
      evolveBag,
      () => [added('a')],
      ctx,
      () => at,
    );
    expect(store.streams.get('bag-1')![0]!.metadata['occurredAt']).toBe(at.toISOString());
  });
});
