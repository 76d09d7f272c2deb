import { type EventStore, type Position, comparePositions } from '@missive/event-store';
import type { Kysely } from 'kysely';
import {
  COUNTED_TYPES,
  COUNTER_CATEGORY,
  type CounterEventData,
  counterTables,
  deltaOf,
} from './counterProjection';

export interface CounterRow {
  readonly stream_id: string;
  readonly events: number;
  readonly total: number;
  readonly last_revision: number;
  readonly last_position: string;
}

export interface LogRow {
  readonly commit_pos: number;
  readonly stream_id: string;
  readonly revision: number;
  readonly type: string;
  readonly delta: number;
}

/** Full contents of the counter projection's tables, in a stable order and normalized types. */
export interface CounterSnapshot {
  readonly counters: CounterRow[];
  readonly log: LogRow[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readCounterTables(db: Kysely<any>, prefix = ''): Promise<CounterSnapshot> {
  const tables = counterTables(prefix);
  // Sorted in code: PostgreSQL's text order depends on the database collation.
  const counters = await db.selectFrom(tables.counters).selectAll().execute();
  const log = await db
    .selectFrom(tables.log)
    .selectAll()
    .orderBy('commit_pos')
    .orderBy('stream_id')
    .orderBy('revision')
    .execute();
  return {
    counters: counters
      .map((row) => ({
        stream_id: String(row.stream_id),
        events: Number(row.events),
        total: Number(row.total),
        last_revision: Number(row.last_revision),
        last_position: String(row.last_position),
      }))
      .sort(byStreamId),
    log: log.map((row) => ({
      commit_pos: Number(row.commit_pos),
      stream_id: String(row.stream_id),
      revision: Number(row.revision),
      type: String(row.type),
      delta: Number(row.delta),
    })),
  };
}

/**
 * What the tables must hold after projecting the log up to `upTo`, computed in plain code
 * from the store: an oracle independent of the runner and of SQL.
 */
export async function expectedCounterTables(
  store: EventStore,
  upTo: Position | 'start',
): Promise<CounterSnapshot> {
  const log: LogRow[] = [];
  const counters = new Map<string, CounterRow>();
  const events = store.readAll({
    filter: { streamPrefixes: [COUNTER_CATEGORY], eventTypes: [...COUNTED_TYPES] },
  });
  for await (const event of events) {
    if (comparePositions(event.position, upTo) > 0) break;
    if ((event.data as CounterEventData).poison) continue;
    const delta = deltaOf(event);
    const commit = Number(event.position.commit);
    log.push({
      commit_pos: commit,
      stream_id: event.streamId,
      revision: event.revision,
      type: event.type,
      delta,
    });
    const previous = counters.get(event.streamId);
    counters.set(event.streamId, {
      stream_id: event.streamId,
      events: (previous?.events ?? 0) + 1,
      total: (previous?.total ?? 0) + delta,
      last_revision: event.revision,
      last_position: String(commit),
    });
  }
  return {
    counters: [...counters.values()].sort(byStreamId),
    log,
  };
}

function byStreamId(a: CounterRow, b: CounterRow): number {
  return a.stream_id < b.stream_id ? -1 : a.stream_id > b.stream_id ? 1 : 0;
}
