import { createHash, randomBytes } from 'node:crypto';

/** Tokens are stored only as SHA-256 hashes; a leaked read model reveals no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Canvas-looking `<n>~<64 random chars>`; 64 chars of base62 carry ~381 bits. */
export function newToken(prefix: string): string {
  const bytes = randomBytes(64);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}~${out}`;
}
