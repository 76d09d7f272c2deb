import type { StreamRevision } from '@missive/event-store';

/** A folded state and the revision of the last event folded into it. */
export interface CachedAggregate<S> {
  readonly revision: StreamRevision;
  readonly state: S;
}

interface Entry {
  readonly evolve: unknown;
  readonly revision: StreamRevision;
  readonly state: unknown;
}

export interface AggregateCacheStats {
  /** Loads that started from a cached state (and read only the events after it). */
  readonly hits: number;
  /** Loads that folded the stream from its first event. */
  readonly misses: number;
  /** Entries dropped because the cache was full. */
  readonly evictions: number;
}

/**
 * Folded aggregate states by stream, least recently used dropped first, so that `load` reads
 * only the events appended since (a 5,000-message conversation is otherwise folded in full on
 * every command). Events are immutable and revisions only grow, so a cached state is never
 * wrong, only behind: other processes may write the stream, and the tail read catches up.
 *
 * Cached states are shared by every load of the stream, so they are deep-frozen when stored.
 * Evolve functions build new objects around them; collections they grow in place must be
 * copied first when frozen (`grownSet`/`grownMap` in @missive/domain do), so a fold, a failed
 * decision or a lost append race never changes what the cache holds. Use one cache per event
 * store: entries say nothing about which store they came from.
 */
export class AggregateCache {
  private readonly entries = new Map<string, Entry>();
  private counts = { hits: 0, misses: 0, evictions: 0 };

  constructor(readonly maxStreams = 1000) {
    if (!(maxStreams >= 1)) throw new Error(`maxStreams must be at least 1, got ${maxStreams}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get stats(): AggregateCacheStats {
    return { ...this.counts };
  }

  /**
   * The cached state of `stream` as folded by `evolve` (another fold of the same stream, e.g.
   * a different aggregate type, is a miss). Counts a hit or a miss.
   */
  get<S>(stream: string, evolve: unknown): CachedAggregate<S> | undefined {
    const entry = this.entries.get(stream);
    if (!entry || entry.evolve !== evolve) {
      this.counts.misses++;
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    this.counts.hits++;
    return { revision: entry.revision, state: entry.state as S };
  }

  /**
   * Remembers `state` at `revision` and freezes it. An older revision than the one held is
   * ignored: concurrent loads of one stream may finish in any order.
   */
  set<S>(stream: string, evolve: unknown, revision: StreamRevision, state: S): void {
    const held = this.entries.get(stream);
    if (held && held.evolve === evolve && held.revision >= revision) return;
    deepFreeze(state);
    this.entries.delete(stream);
    this.entries.set(stream, { evolve, revision, state });
    while (this.entries.size > this.maxStreams) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
      this.counts.evictions++;
    }
  }

  delete(stream: string): void {
    this.entries.delete(stream);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Object.freeze on a Set or Map does not stop `add`/`set`; it marks it as shared, which is
 * what `grownSet`/`grownMap` check before growing a collection in place.
 */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  if (value instanceof Set) {
    for (const item of value) deepFreeze(item);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      deepFreeze(key);
      deepFreeze(item);
    }
  } else {
    for (const item of Object.values(value)) deepFreeze(item);
  }
}
