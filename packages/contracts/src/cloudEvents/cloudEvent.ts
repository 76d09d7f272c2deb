import { encodePosition, type RecordedEvent } from '@missive/event-store';
import { catalogueEntry } from '../catalogue/eventCatalogue';
import { upcast } from '../catalogue/upcasters';

/** CloudEvents 1.0 in structured JSON mode, with Missive's extension attributes. */
export interface MissiveCloudEvent {
  readonly specversion: '1.0';
  /** The stored event's id: unique per event, stable across replays of the feed. */
  readonly id: string;
  readonly source: string;
  /** `com.missive.<EventType>`. */
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly dataschema: string;
  readonly data: unknown;
  /** Position in the global log (`commit/prepare`): resume after it with `Last-Event-ID`. */
  readonly position: string;
  readonly schemaversion: number;
  readonly correlationid: string | null;
  readonly causationid: string | null;
}

export const CLOUD_EVENT_TYPE_PREFIX = 'com.missive.';
export const CLOUD_EVENT_SOURCE = '/missive';

export function cloudEventTypeOf(eventType: string): string {
  return `${CLOUD_EVENT_TYPE_PREFIX}${eventType}`;
}

/** Whether other services may rely on this event (internal events never leave Missive). */
export function isPublicEvent(eventType: string): boolean {
  return catalogueEntry(eventType)?.visibility === 'public';
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The feed's form of a stored event, its payload upcast to the current version. */
export function toCloudEvent(event: RecordedEvent): MissiveCloudEvent {
  const stored = event.metadata['schemaVersion'];
  const { version, data } = upcast(
    event.type,
    typeof stored === 'number' ? stored : undefined,
    event.data,
  );
  return {
    specversion: '1.0',
    id: event.id,
    source: CLOUD_EVENT_SOURCE,
    type: cloudEventTypeOf(event.type),
    subject: event.streamId,
    time: text(event.metadata['occurredAt']) ?? event.created.toISOString(),
    datacontenttype: 'application/json',
    dataschema: `urn:missive:events:${event.type}:v${version}`,
    data,
    position: encodePosition(event.position),
    schemaversion: version,
    correlationid: text(event.metadata['correlationId']),
    causationid: text(event.metadata['causationId']),
  };
}
