import { type Position, decodePosition } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { dialectOf } from './database';

interface CheckpointRow {
  name: string;
  version: number;
  /** `encodePosition` text: positions are opaque, so compare them in code, not SQL. */
  position: string;
  updated_at: string | Date;
}

/** The runtime's own tables, shared by every projection in a read-model database. */
export interface ProjectionTables {
  projection_checkpoints: CheckpointRow;
  /**
   * Checkpoints of blue/green rebuilds in progress (`<name>#rebuild`). Kept apart from
   * `projection_checkpoints` because everything that reads that table (readiness, lag
   * metrics, read-your-writes) must see only what readers are served.
   */
  projection_rebuilds: CheckpointRow;
  projection_parked: {
    projection: string;
    version: number;
    event_id: string;
    position: string;
    stream_id: string;
    revision: number | string;
    type: string;
    error: string;
    parked_at: string | Date;
  };
}

export type CheckpointTable = 'projection_checkpoints' | 'projection_rebuilds';

export interface StoredCheckpoint {
  readonly version: number;
  readonly position: Position | 'start';
}

/** Idempotent DDL for the runtime tables. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function ensureProjectionTables(db: Kysely<any>): Promise<void> {
  const timestamp = dialectOf(db) === 'postgres' ? 'timestamptz' : 'text';
  for (const table of ['projection_checkpoints', 'projection_rebuilds'] as const) {
    await db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('position', 'text', (c) => c.notNull())
      .addColumn('updated_at', sql.raw(timestamp), (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['name', 'version'])
      .execute();
  }
  await db.schema
    .createTable('projection_parked')
    .ifNotExists()
    .addColumn('projection', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('position', 'text', (c) => c.notNull())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('parked_at', sql.raw(timestamp), (c) => c.notNull())
    .addPrimaryKeyConstraint('projection_parked_pk', ['projection', 'version', 'position'])
    .execute();
}

/**
 * The stored checkpoint of a projection: of `version` if given, else of its highest version
 * (the newest deployed code; blue/green will replace this with the active version).
 * `undefined` when the projection has never started.
 */
export async function readCheckpoint(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  name: string,
  version?: number,
  table: CheckpointTable = 'projection_checkpoints',
): Promise<StoredCheckpoint | undefined> {
  let query = (db as Kysely<ProjectionTables>)
    .selectFrom(table)
    .select(['version', 'position'])
    .where('name', '=', name);
  query =
    version === undefined
      ? query.orderBy('version', 'desc').limit(1)
      : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  return row && { version: Number(row.version), position: decodePosition(row.position) };
}

export async function countParked(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  name: string,
  version: number,
): Promise<number> {
  const row = await (db as Kysely<ProjectionTables>)
    .selectFrom('projection_parked')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('projection', '=', name)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** True for "table does not exist" on SQLite and PostgreSQL (nothing migrated yet). */
export function isMissingTableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '42P01') return true;
  return typeof message === 'string' && message.startsWith('no such table');
}
