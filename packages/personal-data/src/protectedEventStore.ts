import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@missive/event-store';
import { LRUCache } from 'lru-cache';
import { isSealedValue, openValue, sealValue } from './fieldCipher';
import { KeyStore } from './keyStore';
import { bindKeyStore } from './keyStoreBinding';
import { copyAlongPaths, forEachFieldSlot, type PersonalDataPolicy } from './personalDataPolicy';

export interface ProtectedEventStoreOptions {
  /** Keys held in memory at most. Default 10,000 (about 1 MB). */
  readonly cacheSize?: number;
  /**
   * How long a cached key (or a known absence) is trusted. An erasure made by another process
   * is seen here within this time. Default 60 s.
   */
  readonly cacheTtlMs?: number;
  /**
   * Events that announce an erasure, with the subject each erases. Reading one forgets that
   * subject's cached key at once, so that what this process reads after it in the log (a
   * projector catching up) is never opened with a key that is already gone.
   */
  readonly erasures?: ReadonlyMap<string, (data: Record<string, unknown>) => string>;
  /** Close the key store with the event store (when this store opened it). */
  readonly ownsKeyStore?: boolean;
}

const ERASED = Symbol('erased');
type CachedKey = Buffer | typeof ERASED;

/**
 * The `EventStore` port with crypto-shredding: on append, every field the policy marks as
 * personal data is sealed with its subject's key (created first, if new); on every read, it
 * is opened again, or replaced by the field's placeholder once the key was erased. Events
 * written before protection existed hold plain values and are passed through as they are.
 */
export class ProtectedEventStore implements EventStore {
  readonly #inner: EventStore;
  readonly #keys: KeyStore;
  readonly #policy: PersonalDataPolicy;
  readonly #cache: LRUCache<string, CachedKey>;
  readonly #ownsKeyStore: boolean;
  readonly #erasures: ReadonlyMap<string, (data: Record<string, unknown>) => string>;
  #bound: Promise<void> | undefined;

  constructor(
    inner: EventStore,
    keys: KeyStore,
    policy: PersonalDataPolicy,
    options: ProtectedEventStoreOptions = {},
  ) {
    this.#inner = inner;
    this.#keys = keys;
    this.#policy = policy;
    this.#ownsKeyStore = options.ownsKeyStore ?? false;
    this.#erasures = options.erasures ?? new Map();
    this.#cache = new LRUCache<string, CachedKey>({
      max: options.cacheSize ?? 10_000,
      ttl: options.cacheTtlMs ?? 60_000,
    });
  }

  get inner(): EventStore {
    return this.#inner;
  }

  /**
   * Checks (once) that the key store is the one the log was written with, recording it on a
   * new log. Every operation waits for it; call it at start-up to fail there, loudly.
   */
  ready(): Promise<void> {
    this.#bound ??= bindKeyStore(this.#inner, this.#keys);
    return this.#bound;
  }

  async append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    await this.ready();
    const sealed = await this.#sealAll(events);
    return this.#inner.append(stream, sealed, options);
  }

  async *readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    await this.ready();
    for await (const event of this.#inner.readStream(stream, options)) yield this.#reveal(event);
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    await this.ready();
    for await (const event of this.#inner.readAll(options)) yield this.#reveal(event);
  }

  subscribe(options?: SubscribeOptions): Subscription {
    const inner = this.#inner.subscribe(options);
    const reveal = (event: RecordedEvent) => this.#reveal(event);
    const ready = () => this.ready();
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        await ready();
        for await (const event of inner) yield reveal(event);
      },
    };
  }

  onAppended(listener: () => void): () => void {
    return this.#inner.onAppended?.(listener) ?? (() => undefined);
  }

  headPosition(): Promise<Position | 'start'> {
    return this.#inner.headPosition();
  }

  setStreamMaxAge(stream: string, seconds: number): Promise<void> {
    return this.#inner.setStreamMaxAge?.(stream, seconds) ?? Promise.resolve();
  }

  /** The key-store secret behind `streamKeyOf` (stream names derived from personal data). */
  async streamKeySecret(): Promise<Buffer> {
    await this.ready();
    return this.#keys.streamKeySecret();
  }

  /** Deletes the subject's key here and in the key store: its data reads as placeholders. */
  async erase(subject: string): Promise<boolean> {
    return (await this.eraseAll([subject])) > 0;
  }

  /**
   * `erase` for many subjects, in one pass over the key store. Other processes stop opening
   * their data within their key cache's time (`cacheTtlMs`). Returns how many had a key.
   */
  async eraseAll(subjects: readonly string[]): Promise<number> {
    const erased = await this.#keys.eraseKeys(subjects);
    for (const subject of subjects) this.#cache.set(subject, ERASED);
    return erased;
  }

  async close(): Promise<void> {
    await this.#inner.close();
    if (this.#ownsKeyStore) await this.#keys.close();
  }

  async #sealAll(events: readonly EventData[]): Promise<readonly EventData[]> {
    const subjects: string[] = [];
    for (const event of events) {
      const fields = this.#policy.get(event.type);
      if (!fields) continue;
      const data = event.data as Record<string, unknown>;
      for (const field of fields) {
        forEachFieldSlot(field, data, (holder) => subjects.push(field.subject(holder, data)));
      }
    }
    if (subjects.length === 0) return events;
    const keys = await this.#keysFor(subjects, true);
    return events.map((event) => {
      const fields = this.#policy.get(event.type);
      if (!fields) return event;
      const data = copyAlongPaths(fields, event.data as Record<string, unknown>);
      for (const field of fields) {
        forEachFieldSlot(field, data, (holder, name) => {
          const value = holder[name];
          if (isSealedValue(value)) return;
          const subject = field.subject(holder, data);
          holder[name] = sealValue(keys.get(subject)!, subject, value);
        });
      }
      return { ...event, data };
    });
  }

  async #reveal(event: RecordedEvent): Promise<RecordedEvent> {
    const erased = this.#erasures.get(event.type);
    if (erased) this.#cache.set(erased(event.data as Record<string, unknown>), ERASED);
    const fields = this.#policy.get(event.type);
    if (!fields) return event;
    const original = event.data as Record<string, unknown>;
    const subjects: string[] = [];
    for (const field of fields) {
      forEachFieldSlot(field, original, (holder, name) => {
        const value = holder[name];
        if (isSealedValue(value)) subjects.push(value.s);
      });
    }
    // Older events hold plain values: nothing to open.
    if (subjects.length === 0) return event;
    const keys = await this.#keysFor(subjects, false);
    const data = copyAlongPaths(fields, original);
    for (const field of fields) {
      forEachFieldSlot(field, data, (holder, name) => {
        const value = holder[name];
        if (!isSealedValue(value)) return;
        const key = keys.get(value.s);
        holder[name] = key ? openValue(key, value) : field.placeholder;
      });
    }
    return { ...event, data };
  }

  async #keysFor(subjects: readonly string[], create: boolean): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const subject of subjects) {
      const cached = this.#cache.get(subject);
      if (cached === undefined) missing.push(subject);
      else if (cached !== ERASED) found.set(subject, cached);
      else if (create) {
        // Trust the store, not a possibly stale absence: it throws for a real tombstone.
        missing.push(subject);
      }
    }
    if (missing.length > 0) {
      const loaded = await this.#keys.keysFor(missing, create);
      for (const subject of missing) {
        const key = loaded.get(subject);
        this.#cache.set(subject, key ?? ERASED);
        if (key) found.set(subject, key);
      }
    }
    return found;
  }
}

/**
 * Wraps an event store with crypto-shredding under Missive's policy, its keys in the key store
 * at `keyStoreUrl` (`sqlite:<path>` or `postgres://…`). Closing the result closes both.
 */
export function protectEventStore(
  inner: EventStore,
  keyStoreUrl: string,
  policy: PersonalDataPolicy,
  options: Omit<ProtectedEventStoreOptions, 'ownsKeyStore'> = {},
): ProtectedEventStore {
  return new ProtectedEventStore(inner, new KeyStore(keyStoreUrl), policy, {
    ...options,
    ownsKeyStore: true,
  });
}
