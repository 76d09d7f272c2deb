import {
  type EventStore,
  type Position,
  type RecordedEvent,
  UnknownPositionError,
  comparePositions,
  encodePosition,
} from '@missive/event-store';
import { type Kysely, type Transaction, sql } from 'kysely';
import { dialectOf } from './database';
import { isTransientError } from './isTransientError';
import { lagBetween } from './lagBetween';
import type { Projection } from './projection';
import {
  type CheckpointTable,
  type ProjectionTables,
  countParked,
  ensureProjectionTables,
  isMissingTableError,
  readCheckpoint,
} from './projectionTables';

export type ProjectionState =
  'idle' | 'catching-up' | 'live' | 'retrying' | 'failed' | 'stopping' | 'stopped';

export interface ProjectionLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projection: Projection;
  /** Events read and written per transaction. Default 1000. */
  readonly batchSize?: number;
  /** Pause between polls once caught up (the live tail's added latency). Default 50 ms. */
  readonly pollIntervalMs?: number;
  /** Cap on the back-off after failures while running live. Default 5000 ms. */
  readonly maxRetryDelayMs?: number;
  /** Which apply errors are infrastructure (retry later) rather than a bad event (park). */
  readonly isTransient?: (error: unknown) => boolean;
  readonly logger?: ProjectionLogger;
  /**
   * Called after a transaction that applied events has committed, with those events. Lets a
   * consumer of the rows (a dispatcher polling a queue table) look at once instead of at its
   * next poll, without risking a look before the commit.
   */
  readonly onCommitted?: (events: readonly RecordedEvent[]) => void;
  /**
   * Where the checkpoint lives. `projection_rebuilds` is for the shadow copy of a blue/green
   * rebuild, which readiness, lag metrics and read-your-writes must not see. Default
   * `projection_checkpoints`.
   */
  readonly checkpointTable?: CheckpointTable;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** Stored checkpoint (read from the database, so it includes other instances' progress). */
  readonly checkpoint: Position | 'start';
  readonly head: Position | 'start';
  /**
   * `head.commit - checkpoint.commit`: an event count on SQLite (positions are the global
   * sequence), a byte distance in the transaction log on EventStoreDB. It counts every event,
   * including those outside the filter; it reaches 0 once caught up because the runner moves
   * the checkpoint to the head it has read up to.
   */
  readonly lag: number;
  /** Events of this projection version parked as poison. */
  readonly parked: number;
  readonly state: ProjectionState;
  /** Batches this runner lost to another instance (compare-and-set on the checkpoint). */
  readonly conflicts: number;
  readonly lastError?: string;
}

const NO_LOG: ProjectionLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const MAX_ERROR_TEXT = 8_000;

interface Page {
  readonly head: Position | 'start';
  readonly events: RecordedEvent[];
}

/** Another instance moved the checkpoint since we read it: roll back and re-read. */
class CheckpointConflict extends Error {}

/** Marks errors thrown by the projection's own code, as opposed to the runtime's SQL. */
class ApplyFailure extends Error {
  constructor(readonly failure: unknown) {
    super('projection apply failed');
  }
}

/**
 * Drives one projection: reads the log from its checkpoint in pages and writes each page's
 * rows together with the new checkpoint in one transaction.
 *
 * Following the live tail polls `readAll` rather than using `store.subscribe`: a page read
 * delivers whole batches (subscriptions deliver one event at a time, ~60x slower in the
 * performance anchors), the same code path serves catch-up and live, it sees appends made by
 * other processes on every adapter, and after a failure resuming is just the next poll.
 * The price is up to `pollIntervalMs` of extra latency, which `waitForCheckpoint` absorbs;
 * a store that hears of commits (`onAppended`: PostgreSQL's NOTIFY, from any process) wakes
 * the loop at once, and polling stays as the fallback.
 */
export class ProjectionRunner {
  readonly #store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #db: Kysely<any>;
  readonly #projection: Projection;
  readonly #batchSize: number;
  readonly #pollIntervalMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #logger: ProjectionLogger;
  readonly #onCommitted: ((events: readonly RecordedEvent[]) => void) | undefined;
  readonly #postgres: boolean;
  readonly #checkpointTable: CheckpointTable;

  /** Last checkpoint this runner committed or read; `undefined` means "re-read it". */
  #checkpoint: Position | 'start' | undefined;
  #state: ProjectionState = 'idle';
  #lastError: string | undefined;
  #conflicts = 0;
  #migrated: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #wakePending = false;
  /** Stops hearing of the store's commits (other processes' included, where it can tell). */
  #unwatch: (() => void) | undefined;
  readonly #catchUps = new Set<Promise<void>>();
  /** The next page, read ahead while catching up; keyed by the position it reads after. */
  #prefetched: { readonly from: string; readonly page: Promise<Page> } | undefined;
  /** Serializes steps: catch-up calls and the live loop never interleave batches. */
  #lockTail: Promise<unknown> = Promise.resolve();

  constructor(options: ProjectionRunnerOptions) {
    this.#store = options.store;
    this.#db = options.db;
    this.#projection = options.projection;
    this.#batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
    this.#pollIntervalMs = Math.max(1, options.pollIntervalMs ?? 50);
    this.#maxRetryDelayMs = Math.max(this.#pollIntervalMs, options.maxRetryDelayMs ?? 5000);
    this.#isTransient = options.isTransient ?? isTransientError;
    this.#logger = options.logger ?? NO_LOG;
    this.#onCommitted = options.onCommitted;
    this.#postgres = dialectOf(options.db) === 'postgres';
    this.#checkpointTable = options.checkpointTable ?? 'projection_checkpoints';
  }

  get name(): string {
    return this.#projection.name;
  }

  get version(): number {
    return this.#projection.version;
  }

  /**
   * Migrates, then catches up and follows the log in the background; resolves once the loop
   * runs. Failures while running are logged, shown in `status()`, and retried with back-off.
   */
  start(): Promise<void> {
    if (!this.#starting) {
      const starting = this.#startLoop();
      this.#starting = starting;
      const forget = (): void => {
        if (this.#starting === starting) this.#starting = undefined;
      };
      starting.then(forget, forget);
    }
    return this.#starting;
  }

  /** Lets the batch in flight commit (or roll back), then stops the loop and any catch-up. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#state = 'stopping';
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#wake?.();
    await this.#starting?.catch(() => undefined);
    await this.#loop;
    await Promise.allSettled([...this.#catchUps]);
    this.#prefetched = undefined;
    this.#stopping = false;
    this.#state = 'stopped';
  }

  /**
   * Ends the live loop's pause between polls now. A writer in the same process calls it right
   * after appending, so read-your-writes does not wait out `pollIntervalMs`. Failure back-off
   * is left alone.
   */
  wake(): void {
    if (this.#state !== 'live') return;
    // Mid-step the wake must not be lost: the page in flight may predate the append.
    if (this.#wake) this.#wake();
    else this.#wakePending = true;
  }

  /**
   * Projects every event up to the head as of the call, then resolves (early if `stop()` is
   * called). Poison events are parked; infrastructure failures reject, leaving the read model
   * at the last committed batch.
   */
  catchUp(): Promise<void> {
    const run = this.#catchUp();
    this.#catchUps.add(run);
    const forget = (): void => {
      this.#catchUps.delete(run);
    };
    run.then(forget, forget);
    return run;
  }

  async status(): Promise<ProjectionStatus> {
    const { name, version } = this.#projection;
    const [stored, parked, head] = await Promise.all([
      readCheckpoint(this.#db, name, version, this.#checkpointTable).catch(
        whenMissingTable(undefined),
      ),
      countParked(this.#db, name, version).catch(whenMissingTable(0)),
      this.#store.headPosition(),
    ]);
    const checkpoint = stored?.position ?? 'start';
    return {
      name,
      version,
      checkpoint,
      head,
      lag: lagBetween(head, checkpoint),
      parked,
      state: this.#state,
      conflicts: this.#conflicts,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  async #startLoop(): Promise<void> {
    if (this.#loop) return;
    await this.#migrate();
    if (this.#stopping || this.#loop) return;
    this.#state = 'catching-up';
    this.#unwatch ??= this.#store.onAppended?.(() => this.wake());
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
    });
  }

  async #catchUp(): Promise<void> {
    await this.#migrate();
    const target = await this.#store.headPosition();
    const ownsState = (): boolean => !this.#loop && !this.#stopping;
    if (ownsState()) this.#state = 'catching-up';
    try {
      while (!this.#stopping) {
        const reached = await this.#locked(async () => {
          if (comparePositions(await this.#currentCheckpoint(), target) >= 0) {
            this.#prefetched = undefined;
            return true;
          }
          await this.#step();
          return false;
        });
        if (reached) break;
      }
      if (ownsState()) this.#state = 'idle';
    } catch (error) {
      this.#lastError = describeError(error);
      if (ownsState()) this.#state = 'failed';
      throw error;
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      try {
        const caughtUp = await this.#locked(() => this.#step());
        failures = 0;
        if (this.#stopping) break;
        this.#state = caughtUp ? 'live' : 'catching-up';
        if (caughtUp) await this.#sleep(this.#pollIntervalMs);
      } catch (error) {
        failures += 1;
        this.#lastError = describeError(error);
        if (this.#stopping) break;
        if (error instanceof UnknownPositionError) {
          // The checkpoint is no position of this log: the event store was switched (say
          // SQLite to EventStoreDB) under existing read models. No retry can fix that.
          this.#state = 'failed';
          this.#logger.error(
            `projection ${this.#projection.name}: its checkpoint is not a position of this event store (was EVENT_STORE_URL changed?); rebuild it with \`missive-projections rebuild ${this.#projection.name}\``,
            { error: this.#lastError },
          );
          return;
        }
        this.#state = 'retrying';
        const delay = Math.min(this.#maxRetryDelayMs, this.#pollIntervalMs * 2 ** failures);
        this.#logger.error(`projection ${this.#projection.name}: step failed, retrying`, {
          error: this.#lastError,
          failures,
          delayMs: delay,
        });
        await this.#sleep(delay);
      }
    }
  }

  /**
   * Reads one page after the checkpoint and commits it. Resolves true when the page reached
   * the end of the log (nothing more to do right now).
   */
  async #step(): Promise<boolean> {
    const from = await this.#currentCheckpoint();
    const { head, events } = await this.#takePage(from);
    const endOfLog = events.length < this.#batchSize;
    const last = events.length > 0 ? events[events.length - 1]!.position : from;
    // Catching up: read the next page while this one is written. The database works on
    // another core (PostgreSQL) or the store is across the network (EventStoreDB), so the
    // read is hidden behind the write. The page is used only if the checkpoint lands on `last`.
    if (!endOfLog) this.#prefetch(last);
    // A page that came back short has seen every event committed up to `head`, so the
    // checkpoint may jump to it past events the filter rejected. Without that, lag would never
    // reach 0 and each idle poll would rescan those events.
    const to = endOfLog && comparePositions(head, last) > 0 ? head : last;
    if (comparePositions(to, from) <= 0) return endOfLog;
    const committed =
      events.length === 0
        ? await this.#transact(from, to, async () => undefined)
        : await this.#applyBatch(from, to, events);
    return committed && endOfLog;
  }

  #takePage(from: Position | 'start'): Promise<Page> {
    const prefetched = this.#prefetched;
    this.#prefetched = undefined;
    if (prefetched && prefetched.from === encodePosition(from)) return prefetched.page;
    return this.#readPage(from);
  }

  #prefetch(from: Position | 'start'): void {
    const page = this.#readPage(from);
    // Surfaces when (if) the page is taken; a discarded page's failure does not matter.
    page.catch(() => undefined);
    this.#prefetched = { from: encodePosition(from), page };
  }

  /** The head is read before the events: see `#step`. */
  async #readPage(from: Position | 'start'): Promise<Page> {
    const head = await this.#store.headPosition();
    const events: RecordedEvent[] = [];
    const page = this.#store.readAll({
      fromPosition: from,
      filter: this.#projection.filter,
      maxCount: this.#batchSize,
    });
    for await (const event of page) {
      events.push(event);
      if (events.length >= this.#batchSize) break;
    }
    return { head, events };
  }

  async #applyBatch(
    from: Position | 'start',
    to: Position | 'start',
    events: readonly RecordedEvent[],
  ): Promise<boolean> {
    try {
      const committed = await this.#transact(from, to, (tx) => this.#apply(events, tx));
      if (committed) this.#committed(events);
      return committed;
    } catch (error) {
      if (!(error instanceof ApplyFailure)) throw error;
      if (this.#isTransient(error.failure)) throw error.failure;
      this.#logger.warn(
        `projection ${this.#projection.name}: batch of ${events.length} failed, retrying event by event`,
        { error: describeError(error.failure) },
      );
      return this.#applyOneByOne(from, to, events);
    }
  }

  /** Isolates poison events: each event commits (or is parked) with its own checkpoint. */
  async #applyOneByOne(
    from: Position | 'start',
    to: Position | 'start',
    events: readonly RecordedEvent[],
  ): Promise<boolean> {
    let previous = from;
    for (const event of events) {
      try {
        if (!(await this.#transact(previous, event.position, (tx) => this.#apply([event], tx)))) {
          return false;
        }
        this.#committed([event]);
      } catch (error) {
        if (!(error instanceof ApplyFailure)) throw error;
        if (this.#isTransient(error.failure)) throw error.failure;
        const parked = await this.#transact(previous, event.position, (tx) =>
          this.#park(tx, event, error.failure),
        );
        if (!parked) return false;
        this.#logger.warn(`projection ${this.#projection.name}: parked event ${event.id}`, {
          position: encodePosition(event.position),
          streamId: event.streamId,
          revision: event.revision,
          type: event.type,
          error: describeError(error.failure),
        });
      }
      previous = event.position;
    }
    return comparePositions(to, previous) > 0
      ? this.#transact(previous, to, async () => undefined)
      : true;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async #apply(events: readonly RecordedEvent[], tx: Transaction<any>): Promise<void> {
    try {
      await this.#projection.apply(events, tx);
    } catch (error) {
      throw new ApplyFailure(error);
    }
  }

  #committed(events: readonly RecordedEvent[]): void {
    try {
      this.#onCommitted?.(events);
    } catch (error) {
      this.#logger.warn(`projection ${this.#projection.name}: onCommitted failed`, {
        error: describeError(error),
      });
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async #park(tx: Transaction<any>, event: RecordedEvent, failure: unknown): Promise<void> {
    const { name, version } = this.#projection;
    await (tx as Kysely<ProjectionTables>)
      .insertInto('projection_parked')
      .values({
        projection: name,
        version,
        event_id: event.id,
        position: encodePosition(event.position),
        stream_id: event.streamId,
        revision: event.revision,
        type: event.type,
        error: describeError(failure),
        parked_at: new Date().toISOString(),
      })
      .onConflict((oc) => oc.columns(['projection', 'version', 'position']).doNothing())
      .execute();
  }

  /**
   * One transaction that first moves the checkpoint `from` → `to` (compare-and-set), then does
   * the work. The CAS comes first so a losing instance waits on the row lock (PostgreSQL) or
   * the write lock (SQLite) and then finds nothing to update, before writing any row.
   * Resolves false when another instance got there first.
   */
  async #transact(
    from: Position | 'start',
    to: Position | 'start',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    work: (tx: Transaction<any>) => Promise<void>,
  ): Promise<boolean> {
    const { name, version } = this.#projection;
    try {
      await this.#db.transaction().execute(async (tx) => {
        if (this.#postgres) {
          // Same trade as SQLite's synchronous=NORMAL: a server crash may lose the last few
          // commits, never half of one, and rows travel with their checkpoint, so the read
          // model falls back to an earlier prefix that the runner replays. Saves a WAL flush
          // per batch.
          await sql`set local synchronous_commit = off`.execute(tx);
        }
        const result = await (tx as Kysely<ProjectionTables>)
          .updateTable(this.#checkpointTable)
          .set({ position: encodePosition(to), updated_at: new Date().toISOString() })
          .where('name', '=', name)
          .where('version', '=', version)
          .where('position', '=', encodePosition(from))
          .executeTakeFirst();
        if (result.numUpdatedRows !== 1n) throw new CheckpointConflict();
        await work(tx);
      });
    } catch (error) {
      // Whatever happened (even a failed COMMIT that may have landed), trust only the database.
      this.#checkpoint = undefined;
      if (!(error instanceof CheckpointConflict)) throw error;
      this.#conflicts += 1;
      this.#logger.info(`projection ${name}: checkpoint moved by another instance, re-reading`, {
        expected: encodePosition(from),
      });
      return false;
    }
    this.#checkpoint = to;
    return true;
  }

  async #currentCheckpoint(): Promise<Position | 'start'> {
    if (this.#checkpoint === undefined) {
      const { name, version } = this.#projection;
      const stored = await readCheckpoint(this.#db, name, version, this.#checkpointTable);
      // No row: a rebuild switched in another version and retired this one. Never write.
      if (!stored) throw new Error(`projection ${name} v${version} has no checkpoint row`);
      this.#checkpoint = stored.position;
    }
    return this.#checkpoint;
  }

  #migrate(): Promise<void> {
    this.#migrated ??= this.#runMigrations().catch((error: unknown) => {
      this.#migrated = undefined;
      throw error;
    });
    return this.#migrated;
  }

  async #runMigrations(): Promise<void> {
    const { name, version } = this.#projection;
    await this.#db.transaction().execute(async (tx) => {
      if (this.#postgres) {
        // Concurrent CREATE TABLE IF NOT EXISTS can still fail on PostgreSQL (catalog unique
        // violation); every starter takes the same transaction-scoped lock first.
        await sql`select pg_advisory_xact_lock(hashtext('missive.projections.migrate'))`.execute(
          tx,
        );
      }
      await ensureProjectionTables(tx);
      if (this.#checkpointTable === 'projection_checkpoints') {
        const newest = await readCheckpoint(tx, name);
        if (newest && newest.version > version) {
          // Old code starting after a rebuild switched in a newer version: creating its
          // checkpoint at the start would replay the whole log into the newer tables.
          throw new Error(
            `projection ${name} v${version} is superseded by v${newest.version}: this process runs old code`,
          );
        }
      }
      await (tx as Kysely<ProjectionTables>)
        .insertInto(this.#checkpointTable)
        .values({ name, version, position: 'start', updated_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['name', 'version']).doNothing())
        .execute();
      await this.#projection.migrate(tx);
    });
  }

  #locked<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#lockTail.then(() => work());
    this.#lockTail = result.catch(() => undefined);
    return result;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    if (this.#wakePending && this.#state === 'live') {
      this.#wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

function whenMissingTable<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (isMissingTableError(error)) return fallback;
    throw error;
  };
}

function describeError(error: unknown): string {
  const text =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
