import type { RecordedEvent } from '../eventStore';

/** Column order every read statement selects, so rows can be fetched in raw (array) mode. */
export const EVENT_COLUMNS =
  'position, stream_id, revision, event_id, type, data, metadata, created';

export type EventRow = [
  position: number,
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string | null,
  created: number,
];

const NO_METADATA: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export function recordedEventFromRow(row: EventRow): RecordedEvent {
  // commit and prepare are the same sequence number here, so one bigint serves both.
  const sequence = BigInt(row[0]);
  return {
    id: row[3],
    type: row[4],
    streamId: row[1],
    revision: row[2],
    position: { commit: sequence, prepare: sequence },
    data: JSON.parse(row[5]) as unknown,
    metadata: row[6] === null ? NO_METADATA : (JSON.parse(row[6]) as Record<string, unknown>),
    created: new Date(row[7]),
  };
}
