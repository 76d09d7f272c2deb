import { createHmac, randomBytes } from 'node:crypto';

/** No 0/O, 1/I/L: the code is read from a message and typed back by a person. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/**
 * Confirmation codes derived as HMAC(secret, channel id + nonce): the events carry only the
 * random nonce, so a code never sits in the log (which other services may read), yet every
 * API instance and the notifier that holds the secret derive the same code.
 */
export class ConfirmationCodes {
  constructor(private readonly secret: string) {}

  newNonce(): string {
    return randomBytes(16).toString('hex');
  }

  codeFor(channelId: string, nonce: string): string {
    const digest = createHmac('sha256', this.secret).update(`${channelId}:${nonce}`).digest();
    let code = '';
    for (let i = 0; i < LENGTH; i++) code += ALPHABET[digest[i]! % ALPHABET.length];
    return code;
  }
}
