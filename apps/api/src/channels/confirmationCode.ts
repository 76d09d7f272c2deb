import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/appConfig';
import type { AppConfig } from '../config/appConfig';

/** No 0/O, 1/I/L: the code is read from a message and typed back by a person. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/**
 * Confirmation codes derived as HMAC(secret, channel id + nonce): the events carry only the
 * random nonce, so a code never sits in the log (which other services may read), yet every
 * API instance and the notifier that holds the secret can derive and check it.
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

/**
 * CONFIRMATION_SECRET, or on the embedded default a random secret kept in DATA_DIR so codes
 * survive restarts. Elsewhere it must be configured: every instance must derive the same codes.
 */
export function confirmationSecret(config: AppConfig): string {
  if (config.CONFIRMATION_SECRET) return config.CONFIRMATION_SECRET;
  if (!config.eventStoreUrl.startsWith('sqlite:')) {
    throw new ConfigError(
      'invalid configuration: CONFIRMATION_SECRET is required when EVENT_STORE_URL is not sqlite (all instances must share it)',
    );
  }
  const file = join(resolve(config.DATA_DIR), 'confirmation.secret');
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}
