import type Database from 'better-sqlite3';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamRevision,
  SubscribeOptions,
  Subscription,
} from '../eventStore';
import type { Position } from '../position';
import { PagedSubscription } from '../pagedSubscription';
import { MAX_APPEND_BYTES } from '../appendTooLargeError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { LogPageReader } from './logPageReader';
import { openSqliteDatabase } from './openSqliteDatabase';
import { pagedIterable } from './pagedIterable';
import { sequenceAfter } from './sequenceAfter';
import { type EventRow, recordedEventFromRow } from './recordedEventFromRow';
import { type PendingAppend, type SerializedEvent, queueAppend } from '../pendingAppend';
import type { SqliteEventStoreOptions, SqliteEventStoreStats } from './sqliteEventStoreOptions';
import { prepareStatements, type SqliteStatements } from './sqliteStatements';

export type { SqliteEventStoreOptions, SqliteEventStoreStats } from './sqliteEventStoreOptions';

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

const NO_STREAM = -1;
const MAX_CACHED_HEADS = 10_000;

/**
 * Embedded event store on one SQLite file. The global sequence (INTEGER PRIMARY KEY) is the
 * position. Appends from concurrent callers are grouped into one IMMEDIATE transaction (one
 * fsync), each inside its own SAVEPOINT, so `synchronous=FULL` durability does not cap
 * throughput at one fsync per append. Several instances/processes may share the file.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxAppendsPerTransaction: number;
  private readonly maxAppendBytes: number;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly subscriptions = new Set<PagedSubscription>();
  private readonly stmt: SqliteStatements;
  private readonly reader: LogPageReader;

  /** Last revision per stream as of our last commit; trusted only while `dataVersion` holds. */
  private readonly heads = new Map<string, StreamRevision>();
  private dataVersion: number | undefined;

  private appendCount = 0;
  private eventCount = 0;
  private transactionCount = 0;
  private conflictCount = 0;

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.pageSize = Math.max(1, options.readPageSize ?? 1000);
    this.maxAppendsPerTransaction = Math.max(1, options.maxAppendsPerTransaction ?? 1000);
    this.maxAppendBytes = options.maxAppendBytes ?? MAX_APPEND_BYTES;
    this.db = openSqliteDatabase({
      path: options.path,
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      walAutocheckpointPages: options.walAutocheckpointPages ?? 4000,
    });
    this.stmt = prepareStatements(this.db);
    this.reader = new LogPageReader(this.db, this.stmt);
  }

  append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('SqliteEventStore is closed'));
    const appended = queueAppend(this.queue, stream, events, options, this.maxAppendBytes);
    this.scheduleFlush();
    return appended;
  }

  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    const backwards = options?.direction === 'backwards';
    const statement = backwards ? this.stmt.readBackwards : this.stmt.readForwards;
    const step = backwards ? -1 : 1;
    const first = options?.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    return pagedIterable(first, (from) => {
      const limit = Math.min(this.pageSize, remaining);
      // maxCount reached (SQLite would read a negative LIMIT as none), or before revision 0.
      if (limit <= 0 || from < 0) return { items: [], next: from, last: true };
      const rows = statement.all(stream, from, limit) as EventRow[];
      remaining -= rows.length;
      // A short page is the end of the stream; a read that reaches maxCount ends on the next call.
      const last = rows.length < limit;
      const next = rows.length > 0 ? rows[rows.length - 1]![2] + step : from;
      return { items: rows.map(recordedEventFromRow), next, last };
    });
  }

  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    const filter = options?.filter;
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    // The start is checked on the first page, so a bad position rejects the first `next()`.
    return pagedIterable<RecordedEvent, number | undefined>(undefined, (cursor) => {
      const after = cursor ?? sequenceAfter(this.stmt, options?.fromPosition);
      const limit = Math.min(this.pageSize, remaining);
      if (limit <= 0) return { items: [], next: after, last: true };
      const page = this.reader.readPage(after, filter, limit);
      remaining -= page.events.length;
      // A read that reaches maxCount ends on the next call, above.
      return { items: page.events, next: page.next, last: page.exhausted };
    });
  }

  subscribe(options?: SubscribeOptions): Subscription {
    if (this.closed) throw new Error('SqliteEventStore is closed');
    const filter = options?.filter;
    const subscription = new PagedSubscription(
      async (after) => {
        const page = this.reader.readPage(Number(after), filter, this.pageSize);
        return { events: page.events, next: BigInt(page.next) };
      },
      () => BigInt(sequenceAfter(this.stmt, options?.fromPosition)),
      this.pollIntervalMs,
      // A local database has no outage to wait out: every error ends the iteration.
      () => false,
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | 'start'> {
    const head = this.stmt.maxPosition.get() as number | null;
    if (head === null) return 'start';
    const sequence = BigInt(head);
    return { commit: sequence, prepare: sequence };
  }

  /**
   * Accepted and ignored: the embedded log keeps every event. Dropping rows here would need a
   * scavenger that also keeps idempotent re-appends and readers' resume positions meaningful;
   * on this deployment the read models enforce retention (they hide and purge expired rows),
   * and the file is the single-machine audit log.
   */
  async setStreamMaxAge(stream: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new RangeError(`maxAge of ${stream} must be a positive number of seconds`);
    }
  }

  /** Answers queued appends, ends subscriptions, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue.length > 0) this.flush();
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.db.close();
  }

  stats(): SqliteEventStoreStats {
    return {
      appends: this.appendCount,
      events: this.eventCount,
      transactions: this.transactionCount,
      conflicts: this.conflictCount,
      subscriptions: this.subscriptions.size,
    };
  }

  /** Current values of the durability (and mapping) pragmas, for checks and diagnostics. */
  pragmas(): {
    journalMode: string;
    synchronous: number;
    busyTimeout: number;
    mmapSize: number;
    walAutocheckpoint: number;
  } {
    return {
      journalMode: this.db.pragma('journal_mode', { simple: true }) as string,
      synchronous: this.db.pragma('synchronous', { simple: true }) as number,
      busyTimeout: this.db.pragma('busy_timeout', { simple: true }) as number,
      mmapSize: this.db.pragma('mmap_size', { simple: true }) as number,
      walAutocheckpoint: this.db.pragma('wal_autocheckpoint', { simple: true }) as number,
    };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    // Stryker disable next-line BooleanLiteral: the flag only spares redundant callbacks: the first takes the queue and the others find it empty
    this.flushScheduled = true;
    // setImmediate (not a microtask) lets every append already waiting in the event loop's
    // queues (other requests, other awaiting writers) join the same transaction.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.queue.length > 0) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxAppendsPerTransaction);
    if (this.queue.length > 0) this.scheduleFlush();

    const outcomes: Outcome[] = [];
    // Heads read or written in this transaction; they reach `heads` only if it commits.
    const txHeads = new Map<string, StreamRevision>();
    let written = 0;
    try {
      this.stmt.begin.run();
      try {
        const dataVersion = this.stmt.dataVersion.get() as number;
        // data_version changes only when another connection commits: our cache is stale then.
        if (dataVersion !== this.dataVersion) this.heads.clear();
        this.dataVersion = dataVersion;
        const created = Date.now();
        for (const pending of batch) {
          const headBefore = txHeads.get(pending.stream);
          this.stmt.savepoint.run();
          try {
            const { result, count } = this.applyAppend(pending, txHeads, created);
            this.stmt.release.run();
            written += count;
            outcomes.push({ ok: true, result });
          } catch (error) {
            this.stmt.rollbackToSavepoint.run();
            this.stmt.release.run();
            // The savepoint undid this append's rows; undo its view of the head too.
            if (headBefore === undefined) txHeads.delete(pending.stream);
            else txHeads.set(pending.stream, headBefore);
            outcomes.push({ ok: false, error });
          }
        }
        this.stmt.commit.run();
      } catch (error) {
        if (this.db.inTransaction) this.stmt.rollback.run();
        throw error;
      }
    } catch (error) {
      this.heads.clear();
      this.dataVersion = undefined;
      this.appendCount += batch.length;
      for (const pending of batch) pending.reject(error);
      return;
    }

    this.transactionCount += 1;
    this.appendCount += batch.length;
    this.eventCount += written;
    for (const [stream, revision] of txHeads) this.rememberHead(stream, revision);
    if (written > 0) for (const subscription of this.subscriptions) subscription.wake();
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.ok) {
        batch[i]!.resolve(outcome.result);
      } else {
        if (outcome.error instanceof WrongExpectedVersionError) this.conflictCount += 1;
        batch[i]!.reject(outcome.error);
      }
    }
  }

  /** Runs inside the transaction and a savepoint; throws to roll back only this append. */
  private applyAppend(
    pending: PendingAppend,
    txHeads: Map<string, StreamRevision>,
    created: number,
  ): { result: AppendResult; count: number } {
    const { stream, expected, events } = pending;
    const current = this.headOf(stream, txHeads);
    const conflict = (): WrongExpectedVersionError =>
      new WrongExpectedVersionError(
        stream,
        expected,
        current === NO_STREAM ? 'no_stream' : current,
      );

    if (expected === 'any' || expected === 'stream_exists') {
      if (current === NO_STREAM) {
        if (expected === 'stream_exists') throw conflict();
      } else {
        const first = events[0]!;
        const firstRevision = this.stmt.firstRevisionOfEventId.get(first.key, first.id, stream) as
          number | null;
        if (firstRevision !== null) {
          const result = this.sameEventsAt(stream, firstRevision, events);
          if (result) return { result, count: 0 };
          throw conflict();
        }
      }
    } else if (expected === 'no_stream') {
      if (current !== NO_STREAM) {
        const result = this.sameEventsAt(stream, 0, events);
        if (result) return { result, count: 0 };
        throw conflict();
      }
    } else if (current !== expected) {
      // Stryker disable next-line ConditionalExpression: behind `expected` the stream has no event at expected + 1, so the comparison would find none and conflict the same
      const result = current > expected ? this.sameEventsAt(stream, expected + 1, events) : null;
      if (result) return { result, count: 0 };
      throw conflict();
    }

    let revision = current;
    let position = 0;
    for (const event of events) {
      revision += 1;
      const info = this.stmt.insert.run(
        stream,
        revision,
        event.id,
        event.key,
        event.type,
        event.data,
        event.metadata,
        created,
      );
      position = Number(info.lastInsertRowid);
    }
    txHeads.set(stream, revision);
    const sequence = BigInt(position);
    return {
      result: { nextExpectedRevision: revision, position: { commit: sequence, prepare: sequence } },
      count: events.length,
    };
  }

  /** The original result if exactly these event ids sit in the stream from `fromRevision`. */
  private sameEventsAt(
    stream: string,
    fromRevision: number,
    events: readonly SerializedEvent[],
  ): AppendResult | null {
    const rows = this.stmt.eventsFromRevision.all(stream, fromRevision, events.length) as Array<
      [eventId: string, position: number]
    >;
    if (rows.length !== events.length) return null;
    for (let i = 0; i < rows.length; i++) if (rows[i]![0] !== events[i]!.id) return null;
    const sequence = BigInt(rows[rows.length - 1]![1]);
    return {
      nextExpectedRevision: fromRevision + events.length - 1,
      position: { commit: sequence, prepare: sequence },
    };
  }

  private headOf(stream: string, txHeads: Map<string, StreamRevision>): StreamRevision {
    const inTransaction = txHeads.get(stream);
    if (inTransaction !== undefined) return inTransaction;
    let head = this.heads.get(stream);
    // Stryker disable next-line ConditionalExpression: reading the table each time only forgoes the cache
    if (head === undefined) {
      head = (this.stmt.head.get(stream) as number | null) ?? NO_STREAM;
    }
    txHeads.set(stream, head);
    return head;
  }

  // Stryker disable all: the heads cache only saves lookups; a head it lacks is read from the table
  private rememberHead(stream: string, revision: StreamRevision): void {
    this.heads.delete(stream);
    if (this.heads.size >= MAX_CACHED_HEADS) {
      // Maps iterate in insertion order: drop the least recently written stream.
      const oldest = this.heads.keys().next();
      if (!oldest.done) this.heads.delete(oldest.value);
    }
    this.heads.set(stream, revision);
  }
  // Stryker restore all
}
