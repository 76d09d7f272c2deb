/**
 * The List Messages page: "Records are available for 7 days after creation". The default of
 * COMMS_RETENTION_SECONDS; a scheduled message counts from its send time instead, so it cannot
 * expire before it is sent.
 */
export const COMMS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** When a Comms message or operation stops being served (ISO 8601, UTC). */
export function commsExpiresAt(
  createdAt: string,
  scheduledFor: string | null,
  retentionMs: number = COMMS_RETENTION_MS,
): string {
  const from = Math.max(Date.parse(createdAt), scheduledFor ? Date.parse(scheduledFor) : 0);
  return new Date(from + retentionMs).toISOString();
}

/**
 * When a record ends, as its creation event says. The retention in force at the send is
 * recorded with it; events written before it was recorded had the 7 days.
 */
export function commsRecordExpiresAt(data: {
  createdAt: string;
  scheduledFor: string | null;
  expiresAt?: string;
}): string {
  return data.expiresAt ?? commsExpiresAt(data.createdAt, data.scheduledFor);
}

/** Seconds an event stream must keep a record's events: from its creation to its end. */
export function commsStreamMaxAgeSeconds(createdAt: string, expiresAt: string): number {
  return Math.max(1, Math.ceil((Date.parse(expiresAt) - Date.parse(createdAt)) / 1000));
}
