import { createHash } from 'node:crypto';

/**
 * An event id (a version 8 UUID, RFC 9562) named by its parts. A job step writes its events
 * under ids derived from the job and the step, so a resumed run finds what an earlier run
 * already wrote instead of writing it again.
 */
export function derivedEventId(...parts: readonly string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
