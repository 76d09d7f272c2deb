import type { EventData } from '../eventStore';
import { eventKey } from './eventKey';

/** An event as the store writes it: its payloads already JSON text, its id's hash key. */
export interface SerializedEvent {
  readonly id: string;
  readonly key: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
}

/** Counted as EventStoreDB counts an append: each event's payload, type and metadata. */
export function appendBytes(events: readonly SerializedEvent[]): number {
  let bytes = 0;
  for (const event of events) {
    bytes += Buffer.byteLength(event.data) + Buffer.byteLength(event.type) + 16;
    if (event.metadata !== null) bytes += Buffer.byteLength(event.metadata);
  }
  return bytes;
}

export function serializeEvent(event: EventData): SerializedEvent {
  return {
    id: event.id,
    key: eventKey(event.id),
    type: event.type,
    data: JSON.stringify(event.data) ?? 'null',
    metadata:
      event.metadata && Object.keys(event.metadata).length > 0
        ? JSON.stringify(event.metadata)
        : null,
  };
}
