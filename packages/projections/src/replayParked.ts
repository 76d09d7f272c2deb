import {
  type EventStore,
  type Position,
  type RecordedEvent,
  comparePositions,
  decodePosition,
} from '@missive/event-store';
import type { Kysely } from 'kysely';
import { isTransientError } from './isTransientError';
import type { Projection } from './projection';
import { type ProjectionTables, isMissingTableError } from './projectionTables';

export interface ReplayParkedOptions {
  readonly store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projection: Projection;
  readonly isTransient?: (error: unknown) => boolean;
}

export type ReplayOutcome = 'applied' | 'failed' | 'missing' | 'gone';

export interface ReplayedEvent {
  readonly position: Position;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  /**
   * `applied`: it went through and left the parked table; `failed`: it threw again and stays,
   * with the new error; `missing`: the store no longer has it (expired or scavenged), it
   * stays; `gone`: someone else replayed it meanwhile.
   */
  readonly outcome: ReplayOutcome;
  readonly error?: string;
}

export interface ReplayParkedResult {
  readonly name: string;
  readonly version: number;
  readonly events: readonly ReplayedEvent[];
  readonly applied: number;
  readonly failed: number;
}

const MAX_ERROR_TEXT = 8_000;

/** Marks the projection's own failure, as opposed to the runtime's SQL. */
class ApplyFailure extends Error {
  constructor(readonly failure: unknown) {
    super('projection apply failed');
  }
}

/**
 * Applies a projection's parked events again, oldest first, each in its own transaction
 * together with the removal of its parked row; an event that fails again stays parked with
 * its new error. Run it once the cause is fixed (new code, repaired data). Events are applied
 * where the live copy stands now, out of log order like any retry of a dead letter, so the
 * projection must tolerate that (as it must for parking to make sense at all). The live
 * runner may keep running: each replay commits atomically, and the removal of the parked row
 * comes first, so two concurrent replays never apply an event twice.
 */
export async function replayParked(options: ReplayParkedOptions): Promise<ReplayParkedResult> {
  const { store, db, projection } = options;
  const isTransient = options.isTransient ?? isTransientError;
  const runtime = db as Kysely<ProjectionTables>;
  const parked = await runtime
    .selectFrom('projection_parked')
    .selectAll()
    .where('projection', '=', projection.name)
    .where('version', '=', projection.version)
    .execute()
    .catch((error: unknown) => {
      // Nothing has run against this database yet: nothing parked either.
      if (isMissingTableError(error)) return [];
      throw error;
    });
  const rows = parked
    .map((row) => ({ ...row, decoded: decodePosition(row.position) as Position }))
    .sort((a, b) => comparePositions(a.decoded, b.decoded));

  const events: ReplayedEvent[] = [];
  for (const row of rows) {
    const base = {
      position: row.decoded,
      eventId: row.event_id,
      streamId: row.stream_id,
      revision: Number(row.revision),
      type: row.type,
    };
    const event = await findEvent(store, row.stream_id, Number(row.revision), row.event_id);
    if (!event) {
      events.push({ ...base, outcome: 'missing' });
      continue;
    }
    const key = (tx: Kysely<ProjectionTables>) =>
      tx
        .deleteFrom('projection_parked')
        .where('projection', '=', projection.name)
        .where('version', '=', projection.version)
        .where('position', '=', row.position);
    try {
      const removed = await db.transaction().execute(async (tx) => {
        // The removal first: it takes the row (PostgreSQL) or the write lock (SQLite).
        const deleted = await key(tx as unknown as Kysely<ProjectionTables>).executeTakeFirst();
        if (deleted.numDeletedRows !== 1n) return false;
        try {
          await projection.apply([event], tx);
        } catch (error) {
          throw new ApplyFailure(error);
        }
        return true;
      });
      events.push({ ...base, outcome: removed ? 'applied' : 'gone' });
    } catch (error) {
      if (!(error instanceof ApplyFailure) || isTransient(error.failure)) throw unwrap(error);
      const text = describeError(error.failure);
      await runtime
        .updateTable('projection_parked')
        .set({ error: text, parked_at: new Date().toISOString() })
        .where('projection', '=', projection.name)
        .where('version', '=', projection.version)
        .where('position', '=', row.position)
        .execute();
      events.push({ ...base, outcome: 'failed', error: text });
    }
  }
  return {
    name: projection.name,
    version: projection.version,
    events,
    applied: events.filter((e) => e.outcome === 'applied').length,
    failed: events.filter((e) => e.outcome === 'failed').length,
  };
}

async function findEvent(
  store: EventStore,
  streamId: string,
  revision: number,
  eventId: string,
): Promise<RecordedEvent | undefined> {
  for await (const event of store.readStream(streamId, { fromRevision: revision, maxCount: 1 })) {
    return event.id === eventId ? event : undefined;
  }
  return undefined;
}

function unwrap(error: unknown): unknown {
  return error instanceof ApplyFailure ? error.failure : error;
}

function describeError(error: unknown): string {
  const text =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
