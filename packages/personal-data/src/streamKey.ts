import { createHmac } from 'node:crypto';

/**
 * A stream-name part derived from personal data (a login id, a channel address) without
 * showing it: HMAC-SHA256 under a secret kept outside the log, so the name cannot be linked
 * back to the value by hashing guesses. 128 bits, base64url.
 */
export function streamKeyOf(secret: Buffer, value: string): string {
  return createHmac('sha256', secret)
    .update(value, 'utf8')
    .digest()
    .subarray(0, 16)
    .toString('base64url');
}
