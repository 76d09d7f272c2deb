import { appendBytes, serializeParts } from '../appendBytes';
import type { EventData } from '../eventStore';
import { eventKey } from './eventKey';

export { appendBytes };

/** An event as the store writes it: its payloads already JSON text, its id's hash key. */
export interface SerializedEvent {
  readonly id: string;
  readonly key: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
}

export function serializeEvent(event: EventData): SerializedEvent {
  return {
    id: event.id,
    key: eventKey(event.id),
    type: event.type,
    ...serializeParts(event.data, event.metadata),
  };
}
