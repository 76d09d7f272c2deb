/**
 * A domain event before it is stored: a stable past-tense type name and a JSON payload.
 * Its metadata (below) is added by the command loop (@missive/command-handling) when it is appended.
 */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/**
 * The envelope every stored event carries beside its payload: its id, the request that caused
 * it (correlation and causation ids), who acted, when, and the payload's schema version.
 */
export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actorUserId: string | null;
  readonly occurredAt: string;
  readonly schemaVersion: number;
}
