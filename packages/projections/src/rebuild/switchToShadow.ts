import {
  type EventStore,
  type Position,
  type RecordedEvent,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@missive/event-store';
import { type Kysely, type Transaction, sql } from 'kysely';
import { dialectOf } from '../database';
import type { Projection } from '../projection';
import { type ProjectionTables, readCheckpoint } from '../projectionTables';
import type { OwnedObjects } from './shadowTablesPlugin';
import { swapShadowTables } from './swapShadowTables';

export interface SwitchToShadowOptions {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  /** The live projection (its name and version are what readers are served). */
  readonly projection: Projection;
  /** The same projection writing the shadow tables (see `shadowProjection`). */
  readonly shadow: Projection;
  readonly owned: OwnedObjects;
  readonly batchSize: number;
  /** PostgreSQL: give up waiting for readers' table locks after this long (then retry). */
  readonly lockTimeoutMs: number;
}

export type SwitchOutcome =
  | { readonly switched: true; readonly checkpoint: Position | 'start'; readonly tail: number }
  /** An event of the tail failed to apply: let the shadow runner park it, then try again. */
  | { readonly switched: false; readonly failure: unknown };

/** Rolls back the switch-over when the projection's own code throws on the tail. */
class TailApplyFailure extends Error {
  constructor(readonly failure: unknown) {
    super('applying the tail to the shadow copy failed');
  }
}

/** Another rebuild of the same projection switched first, or discarded this one. */
export class RebuildConflictError extends Error {
  override readonly name = 'RebuildConflictError';
}

/**
 * The blue/green switch, one transaction:
 * 1. lock: touch the shadow's checkpoint row (on SQLite this takes the database's write lock,
 *    so no live batch can commit until the end), then lock the live checkpoint rows
 *    (PostgreSQL: `FOR UPDATE`, after the migration lock every runner takes at start);
 * 2. apply the events between the shadow's checkpoint and the log's head, so the new copy is
 *    at least as far as anything a reader has already been served. They are read before the
 *    locks are taken (the head as of then is enough unless the live copy has got past it
 *    meanwhile), so the locks are not held across reads of the store;
 * 3. swap the tables (`swapShadowTables`), move the live checkpoint to the head, retire other
 *    versions' checkpoints, and hand the shadow's parked events over to the live name.
 * A live runner then fails its compare-and-set, re-reads the checkpoint and carries on from
 * there over the new tables. Readers see the old tables or the new ones, never a mix: DDL is
 * transactional on both databases.
 */
export async function switchToShadow(options: SwitchToShadowOptions): Promise<SwitchOutcome> {
  const { store, db, projection, shadow, owned, batchSize } = options;
  const postgres = dialectOf(db) === 'postgres';
  const expected = await readCheckpoint(db, shadow.name, shadow.version, 'projection_rebuilds');
  if (!expected) throw gone(projection);
  const from = expected.position;
  let head = await store.headPosition();
  const tail = await readTail(store, shadow, from, head);
  try {
    return await db.transaction().execute(async (tx) => {
      const runtime = tx as unknown as Kysely<ProjectionTables>;
      if (postgres) {
        await sql`set local lock_timeout = ${sql.lit(`${Math.max(1, Math.floor(options.lockTimeoutMs))}ms`)}`.execute(
          tx,
        );
        await sql`select pg_advisory_xact_lock(hashtext('missive.projections.migrate'))`.execute(
          tx,
        );
      }
      const touched = await runtime
        .updateTable('projection_rebuilds')
        .set({ updated_at: new Date().toISOString() })
        .where('name', '=', shadow.name)
        .where('version', '=', shadow.version)
        .executeTakeFirst();
      if (touched.numUpdatedRows !== 1n) throw gone(projection);
      const shadowRow = await runtime
        .selectFrom('projection_rebuilds')
        .select('position')
        .where('name', '=', shadow.name)
        .where('version', '=', shadow.version)
        .executeTakeFirstOrThrow();
      if (shadowRow.position !== encodePosition(from)) throw gone(projection);
      let live = runtime
        .selectFrom('projection_checkpoints')
        .select(['version', 'position'])
        .where('name', '=', projection.name);
      if (postgres) live = live.forUpdate();
      const liveRows = await live.execute();
      const newer = liveRows.find((row) => Number(row.version) > projection.version);
      if (newer) {
        throw new RebuildConflictError(
          `${projection.name} v${newer.version} is live, newer than this build's v${projection.version}`,
        );
      }

      const served = liveRows
        .filter((row) => Number(row.version) === projection.version)
        .map((row) => decodePosition(row.position))[0];
      if (served !== undefined && comparePositions(served, head) > 0) {
        // Rare: the live copy moved past the head read above. Read on from there, locked.
        const more = await store.headPosition();
        tail.push(...(await readTail(store, shadow, maxPosition(from, head), more)));
        head = more;
      }
      await applyTail(tx, shadow, tail, batchSize);
      const checkpoint = maxPosition(head, from);

      await swapShadowTables(tx, projection, owned);

      const now = new Date().toISOString();
      await runtime
        .deleteFrom('projection_checkpoints')
        .where('name', '=', projection.name)
        .where('version', '<>', projection.version)
        .execute();
      await runtime
        .insertInto('projection_checkpoints')
        .values({
          name: projection.name,
          version: projection.version,
          position: encodePosition(checkpoint),
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['name', 'version']).doUpdateSet({
            position: encodePosition(checkpoint),
            updated_at: now,
          }),
        )
        .execute();
      await runtime.deleteFrom('projection_rebuilds').where('name', '=', shadow.name).execute();
      // The shadow replayed the whole log: its parked events are the complete set now.
      await runtime
        .deleteFrom('projection_parked')
        .where('projection', '=', projection.name)
        .execute();
      await runtime
        .updateTable('projection_parked')
        .set({ projection: projection.name })
        .where('projection', '=', shadow.name)
        .execute();
      return { switched: true as const, checkpoint, tail: tail.length };
    });
  } catch (error) {
    if (error instanceof TailApplyFailure) return { switched: false, failure: error.failure };
    throw error;
  }
}

/** The shadow's events after `from` up to and including `head`. */
async function readTail(
  store: EventStore,
  shadow: Projection,
  from: Position | 'start',
  head: Position | 'start',
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (comparePositions(head, from) <= 0) return events;
  for await (const event of store.readAll({ fromPosition: from, filter: shadow.filter })) {
    if (comparePositions(event.position, head) > 0) break;
    events.push(event);
  }
  return events;
}

async function applyTail(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tx: Transaction<any>,
  shadow: Projection,
  events: readonly RecordedEvent[],
  batchSize: number,
): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) {
    try {
      await shadow.apply(events.slice(i, i + batchSize), tx);
    } catch (error) {
      throw new TailApplyFailure(error);
    }
  }
}

function maxPosition(a: Position | 'start', b: Position | 'start'): Position | 'start' {
  return comparePositions(a, b) >= 0 ? a : b;
}

function gone(projection: Projection): RebuildConflictError {
  return new RebuildConflictError(
    `the rebuild of ${projection.name} v${projection.version} moved or is gone: another rebuild is running, switched it in or discarded it`,
  );
}
