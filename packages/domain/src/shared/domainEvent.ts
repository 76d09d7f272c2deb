/**
 * A domain event before it is stored: a stable past-tense type name and a JSON payload.
 * Metadata is added by the application layer when the event is appended.
 */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** Metadata every stored event carries (DESIGN §3). */
export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actorUserId: string | null;
  readonly occurredAt: string;
  readonly schemaVersion: number;
}
