import type { EventFilter, RecordedEvent } from '../eventStore';

/**
 * Column order every read selects, fetched in array mode. The text form is aliased so that
 * `ORDER BY position` sorts by the bigint column, not by its text.
 */
export const PG_EVENT_COLUMNS =
  'position::text AS position_text, stream_id, revision, event_id, type, data, metadata, ' +
  '(extract(epoch FROM created) * 1000)::float8 AS created_ms';

export type PgEventRow = [
  position: string,
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: unknown,
  metadata: Record<string, unknown> | null,
  createdMs: number,
];

const NO_METADATA: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * node-postgres has already parsed the json columns. The timestamp comes as epoch
 * milliseconds: a float parses several times faster than timestamptz text.
 */
export function recordedEventFromPgRow(row: PgEventRow): RecordedEvent {
  const position = BigInt(row[0]);
  return {
    id: row[3],
    type: row[4],
    streamId: row[1],
    revision: row[2],
    position: { commit: position, prepare: position },
    data: row[5],
    metadata: row[6] ?? NO_METADATA,
    created: new Date(row[7]),
  };
}

/**
 * SQL condition for a filter, its parameters numbered from `firstParam`, or null when the
 * filter selects everything. Prefixes use `^@` (starts_with), so no LIKE escaping is needed.
 */
export function pgFilterSql(
  filter: EventFilter | undefined,
  firstParam: number,
): { sql: string; params: string[][] } | null {
  const parts: string[] = [];
  const params: string[][] = [];
  const prefixes = filter?.streamPrefixes;
  if (prefixes) {
    if (prefixes.length === 0) return { sql: 'false', params: [] };
    params.push([...prefixes]);
    parts.push(`stream_id ^@ ANY($${firstParam + params.length - 1}::text[])`);
  }
  const types = filter?.eventTypes;
  if (types) {
    if (types.length === 0) return { sql: 'false', params: [] };
    params.push([...types]);
    parts.push(`type = ANY($${firstParam + params.length - 1}::text[])`);
  }
  return parts.length === 0 ? null : { sql: parts.join(' AND '), params };
}

/** node-postgres errors that mean the connection or server went away, not a bad query. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    return (
      error instanceof Error &&
      /Connection terminated|connection.*(closed|ended)/i.test(error.message)
    );
  }
  return (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)
  );
}
