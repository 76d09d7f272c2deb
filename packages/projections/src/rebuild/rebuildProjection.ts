import { type EventStore, type Position, type RecordedEvent } from '@missive/event-store';
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../database';
import { isTransientError } from '../isTransientError';
import type { Projection } from '../projection';
import { type ProjectionLogger, ProjectionRunner } from '../projectionRunner';
import { countParked, ensureProjectionTables, readCheckpoint } from '../projectionTables';
import { discardShadow } from './discardShadow';
import { discoverOwnedObjects } from './discoverOwnedObjects';
import { existingTables } from './existingTables';
import { shadowProjection } from './shadowProjection';
import { withSqliteRebuildPragmas } from './sqliteRebuildPragmas';
import {
  type OwnedObjects,
  SHADOW_SUFFIX,
  ShadowTablesPlugin,
  shadowName,
} from './shadowTablesPlugin';
import { switchToShadow } from './switchToShadow';

export interface RebuildOptions {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projection: Projection;
  /** Events per transaction while building the shadow copy. Default `REBUILD_BATCH_SIZE`. */
  readonly batchSize?: number;
  /** Throw away the shadow copy an interrupted rebuild left, instead of resuming it. */
  readonly restart?: boolean;
  /** Aborting stops after the batch in flight; the shadow copy is kept for a resume. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RebuildProgress) => void;
  readonly logger?: ProjectionLogger;
  /** PostgreSQL: how long the switch waits for readers' table locks per attempt. Default 5 s. */
  readonly lockTimeoutMs?: number;
  /** Switch-over attempts before giving up (the shadow copy is kept). Default 5. */
  readonly maxSwitchAttempts?: number;
}

export interface RebuildProgress {
  readonly phase: 'building' | 'switching';
  /** Where this run started: the start of the log, or a resumed shadow checkpoint. */
  readonly from: Position | 'start';
  /** Position of the last event applied to the shadow copy. */
  readonly position: Position | 'start';
  /** The log's head when the current catch-up round began. */
  readonly head: Position | 'start';
  /** Events applied to the shadow copy by this run. */
  readonly events: number;
}

export interface RebuildResult {
  readonly name: string;
  readonly version: number;
  /** Set when an interrupted rebuild's shadow copy was picked up rather than started over. */
  readonly resumedFrom?: Position | 'start';
  /** The live checkpoint right after the switch. */
  readonly checkpoint: Position | 'start';
  /** Events this run applied (catch-up plus the tail applied during the switch). */
  readonly events: number;
  /** Parked events of the new copy. */
  readonly parked: number;
  readonly buildMs: number;
  /** How long the (last, successful) switch-over took; it holds its locks for most of it. */
  readonly switchMs: number;
  readonly switchAttempts: number;
}

/** The rebuild was not started: it would be unsafe or cannot work for this projection. */
export class RebuildRefusedError extends Error {
  override readonly name = 'RebuildRefusedError';
}

/** Stopped on request before the switch; the shadow copy stays and the next run resumes it. */
export class RebuildInterruptedError extends Error {
  override readonly name = 'RebuildInterruptedError';
}

/**
 * Larger than a live runner's batches: nobody waits on a shadow copy's commits, and each batch
 * rewrites every row its events touch (an active conversation's participants, the B-tree pages
 * its inserts land on) once, so ten times fewer batches write far fewer pages. 2,000 → 20,000
 * made the conversations rebuild 1.4× faster at 100,000 events (BENCHMARKS.md).
 */
export const REBUILD_BATCH_SIZE = 20_000;

const PG_MAX_IDENTIFIER = 63;
/** PostgreSQL derives names such as `<table>_pkey` from the (suffixed) table name. */
const PG_DERIVED_NAME_ROOM = '_pkey'.length;
const MAX_CATCH_UP_ROUNDS = 10;

/**
 * Blue/green rebuild of one projection while the live copy keeps serving and its runner keeps
 * applying: replays the whole log into shadow tables (`<table>__rebuild`, checkpoint in
 * `projection_rebuilds`), catches up with the head, then switches in one transaction (see
 * `switchToShadow`). Crash-safe at every step: the shadow commits rows with its checkpoint
 * like any projection (a rerun resumes it), and the switch is a single transaction.
 *
 * Refuses process managers: replaying history through them would repeat their side effects.
 */
export function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  return withSqliteRebuildPragmas(options.db, () => rebuild(options));
}

async function rebuild(options: RebuildOptions): Promise<RebuildResult> {
  const { store, db, projection, signal } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? REBUILD_BATCH_SIZE));
  const started = Date.now();
  if (projection.kind === 'process-manager') {
    throw new RebuildRefusedError(
      `${projection.name} is a process manager: rebuilding it would replay its side effects (appends, deliveries); refused`,
    );
  }
  const owned = await discoverOwnedObjects(projection, dialectOf(db)).catch((error: unknown) => {
    // Its migrate() reads results that a database executing nothing cannot give.
    throw new RebuildRefusedError(
      `${projection.name}: could not find which tables its migrate() creates: ${String(error)}`,
    );
  });
  checkOwned(projection, owned, db);
  await ensureRuntimeTables(db);
  const live = await readCheckpoint(db, projection.name);
  if (live && live.version > projection.version) {
    throw new RebuildRefusedError(
      `${projection.name} v${live.version} is live, newer than this build's v${projection.version}: run the matching release`,
    );
  }

  const plugin = new ShadowTablesPlugin(owned);
  const shadow = shadowProjection(projection, plugin);
  const resumedFrom = await prepareShadow(db, shadow, owned, options.restart ?? false);

  let events = 0;
  let position: Position | 'start' = resumedFrom ?? 'start';
  let head: Position | 'start' = 'start';
  const from = position;
  const report = (phase: RebuildProgress['phase']): void =>
    options.onProgress?.({ phase, from, position, head, events });
  const runner = new ProjectionRunner({
    store,
    db,
    projection: shadow,
    batchSize,
    checkpointTable: 'projection_rebuilds',
    ...(options.logger ? { logger: options.logger } : {}),
    onCommitted: (applied: readonly RecordedEvent[]) => {
      events += applied.length;
      if (applied.length > 0) position = applied[applied.length - 1]!.position;
      report('building');
    },
  });
  const stop = (): void => void runner.stop();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const interrupted = (): RebuildInterruptedError =>
      new RebuildInterruptedError(
        `rebuild of ${projection.name} interrupted; its shadow copy is kept: run it again to resume`,
      );
    const catchUp = async (): Promise<number> => {
      if (signal?.aborted) throw interrupted();
      head = await store.headPosition();
      report('building');
      const before = events;
      await runner.catchUp();
      if (signal?.aborted) throw interrupted();
      return events - before;
    };
    // Each round only has to cover what was appended during the previous one; stop once a
    // round is short, so the switch applies a small tail while it holds the locks.
    for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
      if ((await catchUp()) < batchSize) break;
    }
    const buildMs = Date.now() - started;

    const attempts = Math.max(1, options.maxSwitchAttempts ?? 5);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (signal?.aborted) throw interrupted();
      report('switching');
      const switchStarted = Date.now();
      try {
        const outcome = await switchToShadow({
          store,
          db,
          projection,
          shadow,
          owned,
          batchSize,
          lockTimeoutMs: options.lockTimeoutMs ?? 5000,
        });
        if (outcome.switched) {
          const switchMs = Date.now() - switchStarted;
          return {
            name: projection.name,
            version: projection.version,
            ...(resumedFrom === undefined ? {} : { resumedFrom }),
            checkpoint: outcome.checkpoint,
            events: events + outcome.tail,
            parked: await countParked(db, projection.name, projection.version),
            buildMs,
            switchMs,
            switchAttempts: attempt,
          };
        }
        // A poison event in the tail: the runner parks it like any other, then we retry.
        options.logger?.warn(`rebuild ${projection.name}: the tail failed to apply, catching up`, {
          error: String(outcome.failure),
        });
      } catch (error) {
        if (!isLockTimeout(error) && !isTransientError(error)) throw error;
        options.logger?.warn(`rebuild ${projection.name}: switch-over waited too long for locks`, {
          attempt,
          error: String(error),
        });
      }
      await catchUp();
    }
    throw new Error(
      `rebuild of ${projection.name}: could not switch over in ${attempts} attempts; the shadow copy is kept, run it again to resume`,
    );
  } finally {
    signal?.removeEventListener('abort', stop);
    await runner.stop();
  }
}

/** Resumes an interrupted rebuild's shadow copy when it is complete and of this version. */
async function prepareShadow(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  shadow: Projection,
  owned: OwnedObjects,
  restart: boolean,
): Promise<Position | 'start' | undefined> {
  const previous = await readCheckpoint(db, shadow.name, undefined, 'projection_rebuilds');
  if (previous && !restart && previous.version === shadow.version) {
    const shadows = [...owned.tables].map(shadowName);
    const present = await existingTables(db, shadows);
    if (shadows.every((table) => present.has(table))) return previous.position;
  }
  await discardShadow(db, shadow.name, owned);
  return undefined;
}

function checkOwned(
  projection: Projection,
  owned: OwnedObjects,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
): void {
  if (owned.tables.size === 0) {
    throw new RebuildRefusedError(`${projection.name}: its migrate() creates no table to rebuild`);
  }
  const suffixed = [...owned.tables, ...owned.indexes].find((name) => name.includes(SHADOW_SUFFIX));
  if (suffixed) {
    throw new RebuildRefusedError(
      `${projection.name}: ${suffixed} contains ${SHADOW_SUFFIX}, the suffix of shadow copies`,
    );
  }
  if (dialectOf(db) !== 'postgres') return;
  const tooLong = [
    ...[...owned.tables].map((name) => ({ name, room: PG_DERIVED_NAME_ROOM })),
    ...[...owned.indexes].map((name) => ({ name, room: 0 })),
  ].find(({ name, room }) => Buffer.byteLength(shadowName(name)) + room > PG_MAX_IDENTIFIER);
  if (tooLong) {
    throw new RebuildRefusedError(
      `${projection.name}: ${tooLong.name} is too long for a shadow name on PostgreSQL (${PG_MAX_IDENTIFIER} bytes)`,
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ensureRuntimeTables(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (dialectOf(tx) === 'postgres') {
      await sql`select pg_advisory_xact_lock(hashtext('missive.projections.migrate'))`.execute(tx);
    }
    await ensureProjectionTables(tx);
  });
}

function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}
