import {
  type EventStore,
  type Position,
  type RecordedEvent,
  UnknownPositionError,
  comparePositions,
  encodePosition,
} from '@missive/event-store';
import type { Kysely } from 'kysely';
import { BatchCommitter } from './batchCommitter';
import { describeError } from './describeError';
import { isTransientError } from './isTransientError';
import { lagBetween } from './lagBetween';
import { migrateProjection } from './migrateProjection';
import type { Projection } from './projection';
import { NO_LOG, type ProjectionLogger } from './projectionLogger';
import type { ProjectionState, ProjectionStatus } from './projectionStatus';
import {
  type CheckpointTable,
  countParked,
  isMissingTableError,
  readCheckpoint,
} from './projectionTables';

export type { ProjectionLogger } from './projectionLogger';
export type { ProjectionState, ProjectionStatus } from './projectionStatus';

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

interface Page {
  readonly head: Position | 'start';
  readonly events: RecordedEvent[];
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
  readonly #logger: ProjectionLogger;
  readonly #checkpointTable: CheckpointTable;
  readonly #batches: BatchCommitter;

  #state: ProjectionState = 'idle';
  #lastError: string | undefined;
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
    this.#logger = options.logger ?? NO_LOG;
    this.#checkpointTable = options.checkpointTable ?? 'projection_checkpoints';
    this.#batches = new BatchCommitter({
      db: options.db,
      projection: options.projection,
      checkpointTable: this.#checkpointTable,
      isTransient: options.isTransient ?? isTransientError,
      logger: this.#logger,
      onCommitted: options.onCommitted,
    });
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
      conflicts: this.#batches.conflicts,
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
          if (comparePositions(await this.#batches.currentCheckpoint(), target) >= 0) {
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
    const from = await this.#batches.currentCheckpoint();
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
        ? await this.#batches.transact(from, to, async () => undefined)
        : await this.#batches.applyBatch(from, to, events);
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

  #migrate(): Promise<void> {
    this.#migrated ??= migrateProjection(this.#db, this.#projection, this.#checkpointTable).catch(
      (error: unknown) => {
        this.#migrated = undefined;
        throw error;
      },
    );
    return this.#migrated;
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
