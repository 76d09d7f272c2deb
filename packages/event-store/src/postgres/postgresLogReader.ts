import type { EventFilter, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../eventStore';
import type { Position } from '../position';
import { UnknownPositionError } from '../unknownPositionError';
import type { SubscriptionPage } from '../pagedSubscription';
import {
  PG_EVENT_COLUMNS,
  type PgEventRow,
  pgFilterSql,
  recordedEventFromPgRow,
} from './postgresRows';

// When a filter rejects most rows, a query could otherwise scan to the end of the log.
const FILTERED_SCAN_WINDOW = 16_384n;

export type RowQuery = <R extends unknown[]>(text: string, values: unknown[]) => Promise<R[]>;

/** Paged reads of one store's log: streams, `$all` and the pages subscriptions poll. */
export class PostgresLogReader {
  constructor(
    /** `"schema".events`, quoted. */
    private readonly events: string,
    private readonly query: RowQuery,
    private readonly pageSize: number,
  ) {}

  async *readStream(
    stream: string,
    options: ReadStreamOptions | undefined,
  ): AsyncGenerator<RecordedEvent> {
    const backwards = options?.direction === 'backwards';
    const sql = `SELECT ${PG_EVENT_COLUMNS} FROM ${this.events}
      WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2
      ORDER BY revision ${backwards ? 'DESC' : ''} LIMIT $3`;
    let from = options?.fromRevision ?? (backwards ? 2 ** 31 - 1 : 0);
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && from >= 0) {
      const limit = Math.min(this.pageSize, remaining);
      const rows = await this.rows(sql, [stream, from, limit]);
      for (const row of rows) yield recordedEventFromPgRow(row);
      remaining -= rows.length;
      if (rows.length < limit) return;
      from = rows[rows.length - 1]![2] + (backwards ? -1 : 1);
    }
  }

  async *readAll(options: ReadAllOptions | undefined): AsyncGenerator<RecordedEvent> {
    let after = sequenceOf(options?.fromPosition);
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(this.pageSize, remaining);
      const page = await this.readPage(after, options?.filter, limit);
      for (const event of page.events) yield event;
      remaining -= page.events.length;
      after = page.next;
      if (page.exhausted) return;
    }
  }

  async head(): Promise<bigint> {
    const rows = await this.query<[string | null]>(
      `SELECT max(position)::text FROM ${this.events}`,
      [],
    );
    const head = rows[0]?.[0];
    return head === null || head === undefined ? 0n : BigInt(head);
  }

  /**
   * One page after `after`. Every row at or below the visible maximum is committed (positions
   * become visible in order), so `next` may move past rows a filter rejected.
   *
   * Checks `after` on the way, at no extra cost: positions run from 1 to the head without gaps
   * and are never deleted, so `after` is an event's position exactly when it is at most the
   * head (filtered pages read the head anyway) or, unfiltered, when the row at `after` itself
   * comes back (the query starts there, inclusive). Anything else would read as an empty or
   * live tail and hide the caller's mistake, so it raises `UnknownPositionError`.
   */
  async readPage(
    after: bigint,
    filter: EventFilter | undefined,
    limit: number,
  ): Promise<SubscriptionPage & { exhausted: boolean }> {
    const where = pgFilterSql(filter, 3);
    if (where === null) {
      const check = after > 0n;
      const rows = await this.rows(
        `SELECT ${PG_EVENT_COLUMNS} FROM ${this.events} WHERE position >= $1 ORDER BY position LIMIT $2`,
        [String(check ? after : 1n), check ? limit + 1 : limit],
      );
      if (check) {
        if (rows.length === 0) throw unknownPosition(after, 'it is past the end of the log');
        if (BigInt(rows[0]![0]) !== after) throw unknownPosition(after, 'no event has it');
        rows.shift();
      }
      const next = rows.length > 0 ? BigInt(rows[rows.length - 1]![0]) : after;
      return { events: rows.map(recordedEventFromPgRow), next, exhausted: rows.length < limit };
    }
    const head = await this.head();
    if (head < after) throw unknownPosition(after, 'it is past the end of the log');
    if (head === after) return { events: [], next: after, exhausted: true };
    const upper = head < after + FILTERED_SCAN_WINDOW ? head : after + FILTERED_SCAN_WINDOW;
    const rows = await this.rows(
      `SELECT ${PG_EVENT_COLUMNS} FROM ${this.events}
        WHERE position > $1 AND position <= $2 AND ${where.sql} ORDER BY position LIMIT ${limit}`,
      [String(after), String(upper), ...where.params],
    );
    const full = rows.length === limit;
    return {
      events: rows.map(recordedEventFromPgRow),
      next: full ? BigInt(rows[rows.length - 1]![0]) : upper,
      exhausted: !full && upper === head,
    };
  }

  private rows(text: string, values: unknown[]): Promise<PgEventRow[]> {
    return this.query<PgEventRow>(text, values);
  }
}

function unknownPosition(sequence: bigint, reason: string): UnknownPositionError {
  return new UnknownPositionError({ commit: sequence, prepare: sequence }, reason);
}

/** The sequence number a read resumes after; refuses positions this store never hands out. */
export function sequenceOf(position: Position | 'start' | undefined): bigint {
  if (position === undefined || position === 'start') return 0n;
  if (position.commit !== position.prepare || position.commit < 1n) {
    throw new UnknownPositionError(position, 'this store gives equal commit and prepare parts');
  }
  return position.commit;
}
