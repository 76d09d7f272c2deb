import type Database from 'better-sqlite3';
import type { EventFilter, RecordedEvent } from '../eventStore';
import { EVENT_COLUMNS, type EventRow, recordedEventFromRow } from './recordedEventFromRow';
import type { SqliteStatements } from './sqliteStatements';

// When a filter rejects most rows, a query could otherwise scan to the end of the log.
const FILTERED_SCAN_WINDOW = 16_384;

/** One page of the log after some sequence number, and how far the read got. */
export interface LogPage {
  readonly events: readonly RecordedEvent[];
  /** Sequence number to continue after; may pass the last event when a filter skipped rows. */
  readonly next: number;
  /** No row after this page when it was read. */
  readonly exhausted: boolean;
}

/**
 * Reads pages of the global log for `readAll` and subscriptions, with a filter turned into
 * SQL; the statement of each filter is prepared once and kept.
 */
export class LogPageReader {
  readonly #db: Database.Database;
  readonly #stmt: SqliteStatements;
  readonly #filteredReads = new Map<string, Database.Statement>();

  constructor(db: Database.Database, stmt: SqliteStatements) {
    this.#db = db;
    this.#stmt = stmt;
  }

  readPage(after: number, filter: EventFilter | undefined, limit: number): LogPage {
    const where = filterSql(filter);
    if (where === null) {
      const rows = this.#stmt.readAll.all(after, limit) as EventRow[];
      const events = rows.map(recordedEventFromRow);
      const next = rows.length > 0 ? rows[rows.length - 1]![0] : after;
      return { events, next, exhausted: rows.length < limit };
    }
    // Bound the scan by the head read first: every row up to it is committed, so `next` may
    // safely jump past rows the filter rejected without ever skipping a later commit.
    const head = this.#stmt.maxPosition.get() as number | null;
    // Stryker disable next-line ConditionalExpression: at the head the query below finds nothing and answers the same; this only saves it
    if (head === null || head <= after) return { events: [], next: after, exhausted: true };
    const upper = Math.min(head, after + FILTERED_SCAN_WINDOW);
    const rows = this.#filteredRead(where.sql).all(
      after,
      upper,
      ...where.params,
      limit,
    ) as EventRow[];
    const full = rows.length === limit;
    return {
      events: rows.map(recordedEventFromRow),
      next: full ? rows[rows.length - 1]![0] : upper,
      exhausted: !full && upper === head,
    };
  }

  #filteredRead(where: string): Database.Statement {
    let statement = this.#filteredReads.get(where);
    // Stryker disable next-line ConditionalExpression: preparing again only forgoes the cache
    if (!statement) {
      statement = this.#db
        .prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? AND ${where} ORDER BY position LIMIT ?`,
        )
        .raw();
      this.#filteredReads.set(where, statement);
    }
    return statement;
  }
}

/** SQL condition (with `?` placeholders) for a filter, or null when it selects everything. */
function filterSql(filter: EventFilter | undefined): { sql: string; params: string[] } | null {
  const parts: string[] = [];
  const params: string[] = [];
  const prefixes = filter?.streamPrefixes;
  if (prefixes) {
    if (prefixes.length === 0) return { sql: '0', params };
    // substr counts characters (code points), not UTF-16 units.
    parts.push(
      `(${prefixes.map((p) => `substr(stream_id, 1, ${[...p].length}) = ?`).join(' OR ')})`,
    );
    params.push(...prefixes);
  }
  const types = filter?.eventTypes;
  if (types) {
    if (types.length === 0) return { sql: '0', params: [] };
    parts.push(`type IN (${types.map(() => '?').join(', ')})`);
    params.push(...types);
  }
  return parts.length === 0 ? null : { sql: parts.join(' AND '), params };
}
