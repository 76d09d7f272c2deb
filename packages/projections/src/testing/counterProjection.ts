import type { RecordedEvent } from '@missive/event-store';
import type { Transaction } from 'kysely';
import { chunkRows } from '../chunkRows';
import type { Projection } from '../projection';

export const COUNTER_CATEGORY = 'counter-';
export const COUNTED_TYPES = ['Incremented', 'Decremented'] as const;

export interface CounterEventData {
  readonly by: number;
  /** The projection throws on it every time: a poison event. */
  readonly poison?: boolean;
}

export interface CounterProjectionOptions {
  readonly name?: string;
  /** Table-name prefix, so a rebuild can sit beside the projection under test. */
  readonly prefix?: string;
  readonly version?: number;
  /** Runs after the batch's log rows are written, before the counters: throw to fail mid-batch. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly afterLogRows?: (events: readonly RecordedEvent[], tx: Transaction<any>) => unknown;
}

export interface CounterTables {
  readonly counters: string;
  readonly log: string;
}

export function counterTables(prefix = ''): CounterTables {
  return { counters: `${prefix}counters`, log: `${prefix}event_log` };
}

/**
 * Test projection: per-stream counters (upserted) plus an append-only log of every event it
 * applied. The log has no unique key on purpose, so a double apply shows up as a duplicate
 * row instead of a constraint error.
 */
export function counterProjection(options: CounterProjectionOptions = {}): Projection {
  const { counters, log } = counterTables(options.prefix);
  return {
    name: options.name ?? 'counters',
    version: options.version ?? 1,
    filter: { streamPrefixes: [COUNTER_CATEGORY], eventTypes: [...COUNTED_TYPES] },

    async migrate(db) {
      await db.schema
        .createTable(counters)
        .ifNotExists()
        .addColumn('stream_id', 'text', (c) => c.primaryKey())
        .addColumn('events', 'integer', (c) => c.notNull())
        .addColumn('total', 'bigint', (c) => c.notNull())
        .addColumn('last_revision', 'integer', (c) => c.notNull())
        .addColumn('last_position', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable(log)
        .ifNotExists()
        .addColumn('commit_pos', 'bigint', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('delta', 'integer', (c) => c.notNull())
        .execute();
    },

    async apply(events, tx) {
      const logRows = events.map((event) => ({
        commit_pos: event.position.commit.toString(),
        stream_id: event.streamId,
        revision: event.revision,
        type: event.type,
        delta: deltaOf(event),
      }));
      for (const chunk of chunkRows(logRows, 5)) await tx.insertInto(log).values(chunk).execute();
      await options.afterLogRows?.(events, tx);

      const byStream = new Map<
        string,
        { events: number; total: number; last_revision: number; last_position: string }
      >();
      for (const event of events) {
        if ((event.data as CounterEventData).poison) {
          throw new Error(`poison event ${event.id} in ${event.streamId}@${event.revision}`);
        }
        const row = byStream.get(event.streamId) ?? {
          events: 0,
          total: 0,
          last_revision: 0,
          last_position: '',
        };
        row.events += 1;
        row.total += deltaOf(event);
        row.last_revision = event.revision;
        row.last_position = event.position.commit.toString();
        byStream.set(event.streamId, row);
      }
      const counterRows = [...byStream].map(([stream_id, row]) => ({ stream_id, ...row }));
      for (const chunk of chunkRows(counterRows, 5)) {
        await tx
          .insertInto(counters)
          .values(chunk)
          .onConflict((oc) =>
            oc.column('stream_id').doUpdateSet((eb) => ({
              events: eb(eb.ref(`${counters}.events`), '+', eb.ref('excluded.events')),
              total: eb(eb.ref(`${counters}.total`), '+', eb.ref('excluded.total')),
              last_revision: eb.ref('excluded.last_revision'),
              last_position: eb.ref('excluded.last_position'),
            })),
          )
          .execute();
      }
    },
  };
}

export function deltaOf(event: RecordedEvent): number {
  const { by } = event.data as CounterEventData;
  return event.type === 'Decremented' ? -by : by;
}
