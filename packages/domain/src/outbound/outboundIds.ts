import { createHash, randomBytes } from 'node:crypto';

// Crockford base32, lowercase: the Comms id pattern `[0-7][a-hjkmnpqrstv-z0-9]{25}` is a ULID.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Encodes 48 bits of milliseconds and 80 bits of entropy as a 26-character lowercase ULID. */
export function encodeUlid(timeMs: number, entropy: Uint8Array): string {
  if (entropy.length < 10) throw new RangeError('a ULID needs 80 bits of entropy');
  let out = '';
  let time = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  // 80 bits = 16 characters of 5 bits, read most significant first.
  let bits = 0;
  let value = 0;
  for (let i = 0; i < 10; i++) {
    value = (value << 8) | entropy[i]!;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A fresh ULID (API sends). */
export function newUlid(now: Date = new Date()): string {
  return encodeUlid(now.getTime(), randomBytes(10));
}

/**
 * The id of what a process manager creates from a cause: the cause's time keeps ids sorted by
 * creation, and the entropy is a hash of the cause's event id and the discriminator (a channel
 * id, say), so replaying the cause names the same message again and creates nothing twice.
 */
export function derivedUlid(causeEventId: string, discriminator: string, at: Date): string {
  const digest = createHash('sha256').update(`${causeEventId}\u0000${discriminator}`).digest();
  return encodeUlid(at.getTime(), digest);
}

export const ULID_PATTERN = /^[0-7][0-9a-hjkmnp-tv-z]{25}$/;
