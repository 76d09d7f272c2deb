import { userInfo } from 'node:os';
import { type ClientConfig, Pool, type PoolClient } from 'pg';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventFilter,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../eventStore';
import type { Position } from '../position';
import { AppendTooLargeError, MAX_APPEND_BYTES } from '../appendTooLargeError';
import { appendBytes, serializeParts } from '../appendBytes';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { eventKey } from '../sqlite/eventKey';
import { CommitListener } from './commitListener';
import { type PendingAppend, type SerializedEvent, commitBatch } from './commitBatch';
import { NotifiedSubscription, type PositionPage } from './notifiedSubscription';
import { type PostgresNames, ensureSchema, postgresNames } from './postgresSchema';
import {
  PG_EVENT_COLUMNS,
  type PgEventRow,
  isConnectionError,
  pgFilterSql,
  recordedEventFromPgRow,
} from './postgresRows';

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

// When a filter rejects most rows, a query could otherwise scan to the end of the log.
const FILTERED_SCAN_WINDOW = 16_384n;

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
  private readonly clientConfig: ClientConfig;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxAppendsPerTransaction: number;
  private readonly maxAppendBytes: number;

  private schemaReady: Promise<void> | undefined;
  private queue: PendingAppend[] = [];
  private pumping = false;
  private closed = false;
  private readonly subscriptions = new Set<NotifiedSubscription>();
  private readonly appendedListeners = new Set<() => void>();
  private listener: CommitListener | undefined;

  private appendCount = 0;
  private eventCount = 0;
  private transactionCount = 0;
  private conflictCount = 0;

  constructor(options: PostgresEventStoreOptions) {
    const url = new URL(options.connectionString);
    const schema = options.schema ?? url.searchParams.get('schema') ?? 'event_store';
    url.searchParams.delete('schema');
    // libpq (psql) falls back to the OS user when the URL names none; node-postgres does not.
    if (!url.username) url.username = process.env.PGUSER || process.env.USER || userInfo().username;
    this.names = postgresNames(schema);
    this.clientConfig = { connectionString: url.toString() };
    this.pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 500);
    this.pageSize = Math.max(1, options.readPageSize ?? 1000);
    this.maxAppendsPerTransaction = Math.max(1, options.maxAppendsPerTransaction ?? 1000);
    this.maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.pool = new Pool({ ...this.clientConfig, max: options.poolSize ?? 10 });
    // An idle client whose connection drops emits 'error'; the pool discards it.
    this.pool.on('error', () => undefined);
  }

  append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('PostgresEventStore is closed'));
    if (events.length === 0) {
      return Promise.reject(new RangeError(`append to ${stream}: at least one event is required`));
    }
    let serialized: SerializedEvent[];
    try {
      // Serialize now: a caller's bad payload fails only that caller, never the shared batch.
      serialized = events.map(serializeEvent);
    } catch (error) {
      return Promise.reject(error);
    }
    const bytes = appendBytes(serialized);
    if (bytes > this.maxAppendBytes) {
      return Promise.reject(new AppendTooLargeError(stream, bytes, this.maxAppendBytes));
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        stream,
        expected: options?.expectedRevision ?? 'any',
        events: serialized,
        resolve,
        reject,
      });
      void this.pump();
    });
  }

  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.streamEvents(stream, options) };
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.allEvents(options) };
  }

  subscribe(options?: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('PostgresEventStore is closed');
    const filter = options?.filter;
    const subscription = new NotifiedSubscription(
      (after) => this.readPage(after, filter, this.pageSize),
      sequenceOf(options?.fromPosition),
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
    const rows = await this.query<[string | null]>(
      `SELECT max(position)::text FROM ${this.names.events}`,
      [],
    );
    const head = rows[0]?.[0];
    if (head === null || head === undefined) return 'start';
    const position = BigInt(head);
    return { commit: position, prepare: position };
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

  private async *streamEvents(
    stream: string,
    options: ReadStreamOptions | undefined,
  ): AsyncGenerator<RecordedEvent> {
    const backwards = options?.direction === 'backwards';
    const sql = `SELECT ${PG_EVENT_COLUMNS} FROM ${this.names.events}
      WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2
      ORDER BY revision ${backwards ? 'DESC' : ''} LIMIT $3`;
    let from = options?.fromRevision ?? (backwards ? 2 ** 31 - 1 : 0);
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && from >= 0) {
      const limit = Math.min(this.pageSize, remaining);
      const rows = await this.rows(sql, [stream, from, limit]);
      for (const row of rows) yield recordedEventFromPgRow(row);
      remaining -= rows.length;
      if (rows.length < limit) return;
      from = rows[rows.length - 1]![2] + (backwards ? -1 : 1);
    }
  }

  private async *allEvents(options: ReadAllOptions | undefined): AsyncGenerator<RecordedEvent> {
    let after = sequenceOf(options?.fromPosition);
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const page = await this.readPage(after, options?.filter, limit);
      for (const event of page.events) yield event;
      remaining -= page.events.length;
      after = page.next;
      if (page.exhausted) return;
    }
  }

  /** Wakes local readers; other processes hear of the commit through NOTIFY. */
  private announce(): void {
    for (const subscription of this.subscriptions) subscription.wake();
    for (const listener of this.appendedListeners) listener();
  }

  /** LISTEN while somebody wants to hear of commits, and only then. */
  private updateListener(): void {
    const wanted = !this.closed && (this.subscriptions.size > 0 || this.appendedListeners.size > 0);
    if (wanted) {
      this.listener ??= new CommitListener(this.clientConfig, this.names.channel, () =>
        this.announce(),
      );
      this.listener.start();
    } else if (this.listener) {
      void this.listener.stop();
    }
  }

  /**
   * One page after `after`. Every row at or below the visible maximum is committed (positions
   * become visible in order), so `next` may move past rows a filter rejected.
   */
  private async readPage(
    after: bigint,
    filter: EventFilter | undefined,
    limit: number,
  ): Promise<PositionPage & { exhausted: boolean }> {
    const where = pgFilterSql(filter, 3);
    if (where === null) {
      const rows = await this.rows(
        `SELECT ${PG_EVENT_COLUMNS} FROM ${this.names.events} WHERE position > $1 ORDER BY position LIMIT $2`,
        [String(after), limit],
      );
      const next = rows.length > 0 ? BigInt(rows[rows.length - 1]![0]) : after;
      return { events: rows.map(recordedEventFromPgRow), next, exhausted: rows.length < limit };
    }
    const headRows = await this.query<[string | null]>(
      `SELECT max(position)::text FROM ${this.names.events}`,
      [],
    );
    const head = headRows[0]?.[0] == null ? 0n : BigInt(headRows[0][0]);
    if (head <= after) return { events: [], next: after, exhausted: true };
    const upper = head < after + FILTERED_SCAN_WINDOW ? head : after + FILTERED_SCAN_WINDOW;
    const rows = await this.rows(
      `SELECT ${PG_EVENT_COLUMNS} FROM ${this.names.events}
        WHERE position > $1 AND position <= $2 AND ${where.sql} ORDER BY position LIMIT ${limit}`,
      [String(after), String(upper), ...where.params],
    );
    const full = rows.length === limit;
    return {
      events: rows.map(recordedEventFromPgRow),
      next: full ? BigInt(rows[rows.length - 1]![0]) : upper,
      exhausted: !full && upper === head,
    };
  }

  private rows(text: string, values: unknown[]): Promise<PgEventRow[]> {
    return this.query<PgEventRow>(text, values);
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

function serializeEvent(event: EventData): SerializedEvent {
  return {
    id: event.id,
    key: eventKey(event.id),
    type: event.type,
    ...serializeParts(event.data, event.metadata),
  };
}

function sequenceOf(position: Position | 'start' | undefined): bigint {
  if (position === undefined || position === 'start') return 0n;
  return position.commit;
}
