import { type ClientConfig, Pool, type PoolClient } from 'pg';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../eventStore';
import type { Position } from '../position';
import { PagedSubscription } from '../pagedSubscription';
import { MAX_APPEND_BYTES } from '../appendTooLargeError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { CommitListener } from './commitListener';
import { withDefaultUser } from './defaultUser';
import { commitBatch } from './commitBatch';
import { type PendingAppend, queueAppend } from '../pendingAppend';
import { PostgresLogReader, sequenceOf } from './postgresLogReader';
import { type PostgresNames, ensureSchema, postgresNames } from './postgresSchema';
import { isConnectionError } from './postgresRows';

export interface PostgresEventStoreOptions {
  /** `postgres://` or `postgresql://` URL; a `schema` query parameter sets `schema`. */
  readonly connectionString: string;
  /** Schema holding the log (created on first use). Default `event_store`. */
  readonly schema?: string;
  /** Connections for reads and appends. Default 10. */
  readonly poolSize?: number;
  /** Subscriptions' fallback poll when no notification arrives. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Rows fetched per query when reading. Default 1000. */
  readonly readPageSize?: number;
  /** Appends grouped into one transaction at most. Default 1000. */
  readonly maxAppendsPerTransaction?: number;
  /** Bytes of data and metadata one append may carry. Default EventStoreDB's, 1 MiB. */
  readonly maxAppendBytes?: number;
}

export interface PostgresEventStoreStats {
  readonly appends: number;
  readonly events: number;
  readonly transactions: number;
  readonly conflicts: number;
}

/**
 * Event store on a PostgreSQL server, shared by any number of processes and machines.
 *
 * Appends arriving in the same event-loop turn share one transaction (group commit: one WAL
 * flush answers them all). Every transaction that assigns positions holds one advisory lock
 * until it commits, so positions are gap-free and become visible strictly in order: readers
 * may page through `position > n` without ever skipping a late commit (see `commitBatch`).
 * The cost: commits into one log are serialized across processes, each holding the lock for
 * its round trips and its WAL flush; group commit is what keeps throughput up.
 */
export class PostgresEventStore implements EventStore {
  readonly names: PostgresNames;
  private readonly pool: Pool;
  private readonly reader: PostgresLogReader;
  private readonly clientConfig: ClientConfig;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxAppendsPerTransaction: number;
  private readonly maxAppendBytes: number;

  private schemaReady: Promise<void> | undefined;
  private queue: PendingAppend[] = [];
  private pumping = false;
  private closed = false;
  private readonly subscriptions = new Set<PagedSubscription>();
  private readonly appendedListeners = new Set<() => void>();
  private listener: CommitListener | undefined;

  private appendCount = 0;
  private eventCount = 0;
  private transactionCount = 0;
  private conflictCount = 0;

  constructor(options: PostgresEventStoreOptions) {
    const url = withDefaultUser(new URL(options.connectionString));
    const schema = options.schema ?? url.searchParams.get('schema') ?? 'event_store';
    url.searchParams.delete('schema');
    this.names = postgresNames(schema);
    this.clientConfig = { connectionString: url.toString() };
    this.pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 500);
    this.pageSize = Math.max(1, options.readPageSize ?? 1000);
    this.maxAppendsPerTransaction = Math.max(1, options.maxAppendsPerTransaction ?? 1000);
    this.maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.pool = new Pool({
      ...this.clientConfig,
      max: options.poolSize ?? 10,
      // Every query here walks an index in order (position, or stream and revision). Before
      // the first ANALYZE a filtered page's range looks tiny to the planner, which then picks
      // a bitmap scan of the whole window plus a sort: 20-100x slower than the ordered scan.
      // JIT is off too: the queries here are short, and compiling one costs more than it saves.
      options: '-c enable_bitmapscan=off -c jit=off',
    });
    this.reader = new PostgresLogReader(
      this.names.events,
      (text, values) => this.query(text, values),
      this.pageSize,
    );
    // An idle client whose connection drops emits 'error'; the pool discards it.
    this.pool.on('error', () => undefined);
  }

  append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('PostgresEventStore is closed'));
    const appended = queueAppend(this.queue, stream, events, options, this.maxAppendBytes);
    void this.pump();
    return appended;
  }

  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.reader.readStream(stream, options) };
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.reader.readAll(options) };
  }

  subscribe(options?: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('PostgresEventStore is closed');
    const filter = options?.filter;
    const subscription = new PagedSubscription(
      (after) => this.reader.readPage(after, filter, this.pageSize),
      () => sequenceOf(options?.fromPosition),
      this.pollIntervalMs,
      isConnectionError,
      (closed) => {
        this.subscriptions.delete(closed);
        this.updateListener();
      },
    );
    this.subscriptions.add(subscription);
    this.updateListener();
    return subscription;
  }

  async headPosition(): Promise<Position | 'start'> {
    const head = await this.reader.head();
    return head === 0n ? 'start' : { commit: head, prepare: head };
  }

  /**
   * Validated, then the events are kept: dropping rows would need a scavenger that keeps
   * stream revisions, idempotent re-appends and readers' resume positions meaningful, which
   * this adapter does not have. Retention is enforced by the read models (they hide and purge
   * expired rows), as on the embedded store.
   */
  async setStreamMaxAge(stream: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new RangeError(`maxAge of ${stream} must be a positive number of seconds`);
    }
  }

  onAppended(listener: () => void): () => void {
    this.appendedListeners.add(listener);
    this.updateListener();
    return () => {
      this.appendedListeners.delete(listener);
      this.updateListener();
    };
  }

  /** Answers queued appends, ends subscriptions and the LISTEN connection, closes the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.pumping || this.queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!this.pumping && this.queue.length > 0) void this.pump();
    }
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.appendedListeners.clear();
    await this.listener?.stop();
    await this.pool.end();
  }

  stats(): PostgresEventStoreStats {
    return {
      appends: this.appendCount,
      events: this.eventCount,
      transactions: this.transactionCount,
      conflicts: this.conflictCount,
    };
  }

  /** Creates the schema on first use; a failure is retried by the next call. */
  ready(): Promise<void> {
    if (!this.schemaReady) {
      const ready = this.withClient((client) => ensureSchema(client, this.names));
      this.schemaReady = ready;
      ready.catch(() => {
        if (this.schemaReady === ready) this.schemaReady = undefined;
      });
    }
    return this.schemaReady;
  }

  /** One batch in flight per store: appends that arrive meanwhile form the next batch. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      // Let every append already waiting in the event loop's queues join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxAppendsPerTransaction);
        await this.commit(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    let committed;
    try {
      await this.ready();
      committed = await this.withClient((client) => commitBatch(client, this.names, batch));
    } catch (error) {
      this.appendCount += batch.length;
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.transactionCount += 1;
    this.appendCount += batch.length;
    this.eventCount += committed.written;
    if (committed.written > 0) this.announce();
    committed.outcomes.forEach((outcome, i) => {
      if (outcome.ok) {
        batch[i]!.resolve(outcome.result);
      } else {
        if (outcome.error instanceof WrongExpectedVersionError) this.conflictCount += 1;
        batch[i]!.reject(outcome.error);
      }
    });
  }

  /** Wakes local readers; other processes hear of the commit through NOTIFY. */
  private announce(): void {
    for (const subscription of this.subscriptions) subscription.wake();
    for (const listener of this.appendedListeners) listener();
  }

  /**
   * LISTEN from the first subscription or listener on, until `close()`: keeping the one
   * connection is cheaper than opening it again for every short-lived subscription.
   */
  private updateListener(): void {
    if (this.closed || this.listener) return;
    if (this.subscriptions.size === 0 && this.appendedListeners.size === 0) return;
    this.listener = new CommitListener(this.clientConfig, this.names.channel, () =>
      this.announce(),
    );
    this.listener.start();
  }

  private async query<R extends unknown[]>(text: string, values: unknown[]): Promise<R[]> {
    await this.ready();
    const result = await this.pool.query<R>({ text, values, rowMode: 'array' });
    return result.rows;
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      // A connection that failed mid-transaction is not trusted again.
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  }
}
