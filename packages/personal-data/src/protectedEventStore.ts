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
import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import { isSealedValue, openText, openValue, type SealedValue, sealValue } from './fieldCipher';
import { NOT_KEPT, OpenedValues } from './openedValues';
import { KeyStore, SubjectErasedError } from './keyStore';
import { bindKeyStore } from './keyStoreBinding';
import { readAhead } from './readAhead';
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
  /**
   * Characters of opened values kept in memory (default 8 million, about 16 MB), so that a
   * stream read again (an audit's `as_of` of one conversation) is not decrypted again. Only
   * stream reads keep what they open: a read of the whole log (a catch-up, a rebuild, a feed
   * page) meets each value once, and keeping it would only cost. A kept
   * value is used only while its subject's key is cached as live, and for no longer than
   * `cacheTtlMs`: it never outlives an erasure that the key cache has seen.
   */
  readonly openedCacheChars?: number;
  /** Close the key store with the event store (when this store opened it). */
  readonly ownsKeyStore?: boolean;
}

const ERASED = Symbol('erased');
/** Events a read takes ahead of its reader to fetch their keys together. */
const READ_AHEAD = 256;
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
  /**
   * Keys missing from the cache, fetched (or made) for every caller of the same turn of the
   * event loop in one key-store round trip: concurrent appends by new authors share one
   * durable write instead of one each.
   */
  readonly #loaders: { readonly [create in 'make' | 'find']: DataLoader<string, Buffer | null> };
  /** Values opened by stream reads, kept for the next read of the same stream. */
  readonly #opened: OpenedValues | undefined;
  readonly #ownsKeyStore: boolean;
  readonly #erasures: ReadonlyMap<string, (data: Record<string, unknown>) => string>;
  #bound: Promise<void> | undefined;
  /** Settles when the last append made so far has been handed to the inner store. */
  #appendTurn: Promise<void> = Promise.resolve();

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
    const loader = (create: boolean) =>
      new DataLoader<string, Buffer | null>((subjects) => this.#load(subjects, create), {
        cache: false,
        maxBatchSize: 1000,
        batchScheduleFn: (run) => setImmediate(run),
      });
    this.#loaders = { make: loader(true), find: loader(false) };
    const openedChars = options.openedCacheChars ?? 8_000_000;
    this.#opened =
      openedChars > 0 ? new OpenedValues(openedChars, options.cacheTtlMs ?? 60_000) : undefined;
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
    const sealing = this.ready().then(() => this.#sealAll(events));
    // Appends reach the inner store in the order they were made, however long each one's
    // sealing takes (a new subject's key is a round trip to the key store, a known one is not):
    // a caller's second append to a stream must not overtake its first.
    const turn = this.#appendTurn;
    let release!: () => void;
    this.#appendTurn = new Promise((resolve) => (release = resolve));
    try {
      await turn;
      // Handed to the inner store before the next append's turn: its group commit still
      // gathers every append of the moment.
      return this.#inner.append(stream, await sealing, options);
    } finally {
      release();
    }
  }

  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return this.#revealAhead(this.#inner.readStream(stream, options), true);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    // A read of the log is a catch-up, a rebuild or a feed page: values met once, not kept.
    return this.#revealAhead(this.#inner.readAll(options), false);
  }

  /**
   * A read (never a subscription, which would wait for events to come) taken a few hundred
   * events ahead, so that the keys of all their subjects are fetched in one round trip rather
   * than one per subject met. Each event is still opened in log order, after any erasure
   * before it.
   */
  #revealAhead(
    events: AsyncIterable<RecordedEvent>,
    keepOpened: boolean,
  ): AsyncIterable<RecordedEvent> {
    return readAhead(events, READ_AHEAD, (batch) => this.#revealBatch(batch, keepOpened));
  }

  /**
   * Opens a batch's sealed values: from what stream reads kept, else with their keys. Decided
   * in log order, so that an erasure in the batch leaves placeholders in what follows it.
   */
  async #revealBatch(
    batch: readonly RecordedEvent[],
    keepOpened: boolean,
  ): Promise<RecordedEvent[]> {
    await this.ready();
    const sealed = batch.map((event) => {
      const values: SealedValue[] = [];
      this.#forEachSealed(event, (value) => values.push(value));
      return values;
    });
    const keys = await this.#keysFor(
      sealed.flatMap((values) => values.map((value) => value.s)),
      false,
    );
    const opened = new Map<SealedValue, unknown>();
    batch.forEach((event, i) => {
      this.#noteErasure(event, keys);
      for (const value of sealed[i]!) {
        const key = keys.get(value.s);
        if (!key) continue;
        const kept = keepOpened && this.#opened ? this.#opened.find(value) : NOT_KEPT;
        if (kept !== NOT_KEPT) opened.set(value, kept);
        else if (keepOpened && this.#opened)
          opened.set(value, this.#opened.keep(value, openText(key, value)));
        else opened.set(value, openValue(key, value));
      }
    });
    // Older events hold plain values: they are handed on as they are.
    return batch.map((event, i) =>
      sealed[i]!.length === 0
        ? event
        : this.#revealWith(event, (value, placeholder) =>
            opened.has(value) ? opened.get(value) : placeholder,
          ),
    );
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
    const subjects = this.#sealedSubjects(event);
    const keys = subjects.length > 0 ? await this.#keysFor(subjects, false) : new Map();
    this.#noteErasure(event, keys);
    // Older events hold plain values: nothing to open.
    if (subjects.length === 0) return event;
    return this.#revealWith(event, (value, placeholder) => {
      const key = keys.get(value.s);
      return key ? openValue(key, value) : placeholder;
    });
  }

  /** An erasure read in the log: nothing after it may be opened with that subject's key. */
  #noteErasure(event: RecordedEvent, keys?: Map<string, Buffer>): void {
    const erased = this.#erasures.get(event.type);
    if (!erased) return;
    const subject = erased(event.data as Record<string, unknown>);
    this.#cache.set(subject, ERASED);
    keys?.delete(subject);
  }

  /** The event, which holds sealed values, with each replaced by what `open` gives for it. */
  #revealWith(
    event: RecordedEvent,
    open: (value: SealedValue, placeholder: unknown) => unknown,
  ): RecordedEvent {
    const fields = this.#policy.get(event.type);
    if (!fields) return event;
    const data = copyAlongPaths(fields, event.data as Record<string, unknown>);
    for (const field of fields) {
      forEachFieldSlot(field, data, (holder, name) => {
        const value = holder[name];
        if (isSealedValue(value)) holder[name] = open(value, field.placeholder);
      });
    }
    return { ...event, data };
  }

  /** Calls `visit` with each sealed value of the event. */
  #forEachSealed(event: RecordedEvent, visit: (value: SealedValue) => void): void {
    for (const field of this.#policy.get(event.type) ?? []) {
      forEachFieldSlot(field, event.data as Record<string, unknown>, (holder, name) => {
        const value = holder[name];
        if (isSealedValue(value)) visit(value);
      });
    }
  }

  /** The subjects whose keys sealed values of this event. */
  #sealedSubjects(event: RecordedEvent): string[] {
    const subjects: string[] = [];
    this.#forEachSealed(event, (value) => subjects.push(value.s));
    return subjects;
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
      const loaded = await this.#loaders[create ? 'make' : 'find'].loadMany(missing);
      missing.forEach((subject, i) => {
        const key = loaded[i];
        if (key instanceof Error) throw key;
        this.#cache.set(subject, key ?? ERASED);
        if (key) found.set(subject, key);
      });
    }
    return found;
  }

  /** One key-store round trip for a batch; an erased subject fails only its own callers. */
  async #load(subjects: readonly string[], create: boolean): Promise<(Buffer | null | Error)[]> {
    const { keys, erased } = await this.#keys.lookup(subjects, create);
    return subjects.map((subject) =>
      erased.has(subject)
        ? create
          ? new SubjectErasedError(subject)
          : null
        : (keys.get(subject) ?? null),
    );
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
