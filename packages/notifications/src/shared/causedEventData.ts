import type { DomainEvent } from '@missive/domain';
import { type EventData, type RecordedEvent } from '@missive/event-store';
import { SCHEMA_VERSION } from '@missive/command-handling';
import { randomUUID } from 'node:crypto';

/**
 * Event data for what a process manager writes because of `cause`: causationId is
 * the cause's event id, the correlation id carries over, and no user acted. Pass `id` when the
 * write must be recognisable on replay.
 */
export function causedEventData(
  event: DomainEvent,
  cause: RecordedEvent,
  now: Date,
  id: string = randomUUID(),
): EventData {
  return {
    id,
    type: event.type,
    data: event.data,
    metadata: {
      eventId: id,
      correlationId: correlationIdOf(cause),
      causationId: cause.id,
      actorUserId: null,
      occurredAt: now.toISOString(),
      schemaVersion: SCHEMA_VERSION,
    },
  };
}

/** The cause's correlation id; events written without one start their own chain. */
export function correlationIdOf(event: RecordedEvent): string {
  const value = event.metadata['correlationId'];
  return typeof value === 'string' && value ? value : event.id;
}
