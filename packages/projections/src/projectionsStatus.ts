import { type EventStore, type Position, decodePosition } from '@missive/event-store';
import type { Kysely } from 'kysely';
import { lagBetween } from './lagBetween';
import type { Projection, ProjectionKind } from './projection';
import { type ProjectionTables, isMissingTableError } from './projectionTables';
import { REBUILD_NAME_SUFFIX } from './rebuild/shadowProjection';

/**
 * What the stored checkpoints say, whichever process runs the projection:
 * - `not-started`: no checkpoint yet;
 * - `live`: at the head of the log;
 * - `catching-up`: behind, and the checkpoint moved recently;
 * - `stalled`: behind, and the checkpoint has not moved for a while (is its runner up?);
 * - `outdated`: only older versions ran; a rebuild switches this version in;
 * - `newer`: a newer version is live than the code asking knows;
 * - `unregistered`: a checkpoint of a projection nobody registered (removed, or renamed).
 */
export type StoredProjectionState =
  'not-started' | 'live' | 'catching-up' | 'stalled' | 'outdated' | 'newer' | 'unregistered';

export interface StoredProjectionStatus {
  readonly name: string;
  readonly kind: ProjectionKind | 'unknown';
  /** The version registered in code (for `unregistered`, the stored one). */
  readonly version: number;
  /** The newest stored version, when it differs from `version`. */
  readonly storedVersion?: number;
  readonly checkpoint: Position | 'start';
  readonly head: Position | 'start';
  /** In the store's units: events on SQLite, bytes of log on EventStoreDB. */
  readonly lag: number;
  /** Parked events of the stored version. */
  readonly parked: number;
  readonly state: StoredProjectionState;
  readonly updatedAt?: Date;
  /** A blue/green rebuild in progress (or left by an interrupted one). */
  readonly rebuild?: {
    readonly version: number;
    readonly checkpoint: Position | 'start';
    readonly lag: number;
    readonly parked: number;
    readonly updatedAt: Date;
  };
}

export interface ProjectionsStatusOptions {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projections: readonly Pick<Projection, 'name' | 'version' | 'kind'>[];
  /** A projection behind the head whose checkpoint is older than this is `stalled`. Default 60 s. */
  readonly stalledAfterMs?: number;
  readonly now?: Date;
}

interface CheckpointRow {
  readonly name: string;
  readonly version: number;
  readonly position: Position | 'start';
  readonly updatedAt: Date;
}

/** Every registered projection's status plus any stored checkpoint nobody registered. */
export async function projectionsStatus(
  options: ProjectionsStatusOptions,
): Promise<StoredProjectionStatus[]> {
  const { store, db } = options;
  const now = options.now ?? new Date();
  const stalledAfterMs = options.stalledAfterMs ?? 60_000;
  const head = await store.headPosition();
  const [checkpoints, rebuilds, parked] = await Promise.all([
    readRows(db, 'projection_checkpoints'),
    readRows(db, 'projection_rebuilds'),
    readParked(db),
  ]);
  const parkedOf = (name: string, version: number): number =>
    parked.get(`${name}\u0000${version}`) ?? 0;
  const newest = (rows: readonly CheckpointRow[], name: string): CheckpointRow | undefined =>
    rows
      .filter((row) => row.name === name)
      .reduce<CheckpointRow | undefined>(
        (a, b) => (a && a.version >= b.version ? a : b),
        undefined,
      );

  const rebuildOf = (name: string): StoredProjectionStatus['rebuild'] => {
    const row = newest(rebuilds, `${name}${REBUILD_NAME_SUFFIX}`);
    return (
      row && {
        version: row.version,
        checkpoint: row.position,
        lag: lagBetween(head, row.position),
        parked: parkedOf(row.name, row.version),
        updatedAt: row.updatedAt,
      }
    );
  };

  const registered = new Set(options.projections.map((p) => p.name));
  const statuses: StoredProjectionStatus[] = options.projections.map((projection) => {
    const stored = newest(checkpoints, projection.name);
    const rebuild = rebuildOf(projection.name);
    const kind = projection.kind ?? 'read-model';
    if (!stored) {
      return {
        name: projection.name,
        kind,
        version: projection.version,
        checkpoint: 'start',
        head,
        lag: lagBetween(head, 'start'),
        parked: 0,
        state: 'not-started',
        ...(rebuild ? { rebuild } : {}),
      };
    }
    const lag = lagBetween(head, stored.position);
    const state: StoredProjectionState =
      stored.version < projection.version
        ? 'outdated'
        : stored.version > projection.version
          ? 'newer'
          : lag === 0
            ? 'live'
            : now.getTime() - stored.updatedAt.getTime() > stalledAfterMs
              ? 'stalled'
              : 'catching-up';
    return {
      name: projection.name,
      kind,
      version: projection.version,
      ...(stored.version === projection.version ? {} : { storedVersion: stored.version }),
      checkpoint: stored.position,
      head,
      lag,
      parked: parkedOf(stored.name, stored.version),
      state,
      updatedAt: stored.updatedAt,
      ...(rebuild ? { rebuild } : {}),
    };
  });
  const strangers = [...new Set(checkpoints.map((row) => row.name))].filter(
    (name) => !registered.has(name),
  );
  for (const name of strangers.sort()) {
    const stored = newest(checkpoints, name)!;
    statuses.push({
      name,
      kind: 'unknown',
      version: stored.version,
      checkpoint: stored.position,
      head,
      lag: lagBetween(head, stored.position),
      parked: parkedOf(name, stored.version),
      state: 'unregistered',
      updatedAt: stored.updatedAt,
    });
  }
  return statuses;
}

async function readRows(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: 'projection_checkpoints' | 'projection_rebuilds',
): Promise<CheckpointRow[]> {
  try {
    const rows = await (db as Kysely<ProjectionTables>)
      .selectFrom(table)
      .select(['name', 'version', 'position', 'updated_at'])
      .execute();
    return rows.map((row) => ({
      name: row.name,
      version: Number(row.version),
      position: decodePosition(row.position),
      updatedAt: new Date(row.updated_at),
    }));
  } catch (error) {
    if (isMissingTableError(error)) return [];
    throw error;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function readParked(db: Kysely<any>): Promise<Map<string, number>> {
  try {
    const rows = await (db as Kysely<ProjectionTables>)
      .selectFrom('projection_parked')
      .select(['projection', 'version', (eb) => eb.fn.countAll().as('n')])
      .groupBy(['projection', 'version'])
      .execute();
    return new Map(rows.map((row) => [`${row.projection}\u0000${row.version}`, Number(row.n)]));
  } catch (error) {
    if (isMissingTableError(error)) return new Map();
    throw error;
  }
}
