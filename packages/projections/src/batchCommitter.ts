import {
  type Position,
  type RecordedEvent,
  comparePositions,
  encodePosition,
} from '@missive/event-store';
import { type Kysely, type Transaction, sql } from 'kysely';
import { dialectOf } from './database';
import { describeError } from './describeError';
import type { Projection } from './projection';
import type { ProjectionLogger } from './projectionLogger';
import { type CheckpointTable, type ProjectionTables, readCheckpoint } from './projectionTables';

/** Another instance moved the checkpoint since we read it: roll back and re-read. */
class CheckpointConflict extends Error {}

/** Marks errors thrown by the projection's own code, as opposed to the runtime's SQL. */
class ApplyFailure extends Error {
  constructor(readonly failure: unknown) {
    super('projection apply failed');
  }
}

export interface BatchCommitterOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projection: Projection;
  readonly checkpointTable: CheckpointTable;
  readonly isTransient: (error: unknown) => boolean;
  readonly logger: ProjectionLogger;
  readonly onCommitted: ((events: readonly RecordedEvent[]) => void) | undefined;
}

/**
 * The write side of a projection runner: commits a page of events together with the new
 * checkpoint (compare-and-set), isolates and parks poison events, and remembers the
 * checkpoint it last committed or read.
 */
export class BatchCommitter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #db: Kysely<any>;
  readonly #projection: Projection;
  readonly #checkpointTable: CheckpointTable;
  readonly #isTransient: (error: unknown) => boolean;
  readonly #logger: ProjectionLogger;
  readonly #onCommitted: ((events: readonly RecordedEvent[]) => void) | undefined;
  readonly #postgres: boolean;
  /** Last checkpoint committed or read; `undefined` means "re-read it". */
  #checkpoint: Position | 'start' | undefined;
  #conflicts = 0;

  constructor(options: BatchCommitterOptions) {
    this.#db = options.db;
    this.#projection = options.projection;
    this.#checkpointTable = options.checkpointTable;
    this.#isTransient = options.isTransient;
    this.#logger = options.logger;
    this.#onCommitted = options.onCommitted;
    this.#postgres = dialectOf(options.db) === 'postgres';
  }

  /** Batches lost to another instance (compare-and-set on the checkpoint). */
  get conflicts(): number {
    return this.#conflicts;
  }

  async applyBatch(
    from: Position | 'start',
    to: Position | 'start',
    events: readonly RecordedEvent[],
  ): Promise<boolean> {
    try {
      const committed = await this.transact(from, to, (tx) => this.#apply(events, tx));
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
        if (!(await this.transact(previous, event.position, (tx) => this.#apply([event], tx)))) {
          return false;
        }
        this.#committed([event]);
      } catch (error) {
        if (!(error instanceof ApplyFailure)) throw error;
        if (this.#isTransient(error.failure)) throw error.failure;
        const parked = await this.transact(previous, event.position, (tx) =>
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
      ? this.transact(previous, to, async () => undefined)
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
  async transact(
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

  async currentCheckpoint(): Promise<Position | 'start'> {
    if (this.#checkpoint === undefined) {
      const { name, version } = this.#projection;
      const stored = await readCheckpoint(this.#db, name, version, this.#checkpointTable);
      // No row: a rebuild switched in another version and retired this one. Never write.
      if (!stored) throw new Error(`projection ${name} v${version} has no checkpoint row`);
      this.#checkpoint = stored.position;
    }
    return this.#checkpoint;
  }
}
