/**
 * The List Messages page: "Records are available for 7 days after creation". A scheduled
 * message counts from its send time instead, so it cannot expire before it is sent.
 */
export const COMMS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** When a Comms message or operation stops being served (ISO 8601, UTC). */
export function commsExpiresAt(createdAt: string, scheduledFor: string | null): string {
  const from = Math.max(Date.parse(createdAt), scheduledFor ? Date.parse(scheduledFor) : 0);
  return new Date(from + COMMS_RETENTION_MS).toISOString();
}

/** Seconds an event stream must keep a message's events: its whole retention, plus the wait. */
export function commsStreamMaxAgeSeconds(createdAt: string, scheduledFor: string | null): number {
  return Math.ceil(
    (Date.parse(commsExpiresAt(createdAt, scheduledFor)) - Date.parse(createdAt)) / 1000,
  );
}
