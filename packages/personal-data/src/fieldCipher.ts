import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * How a protected value sits in a stored event: the subject whose key sealed it, and the
 * AES-256-GCM ciphertext of the value's JSON (12-byte IV, ciphertext, 16-byte tag; base64).
 * An object rather than a prefixed string, so no user text can ever be mistaken for one.
 */
export interface SealedValue {
  readonly $pd: 1;
  readonly s: string;
  readonly c: string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isSealedValue(value: unknown): value is SealedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $pd?: unknown }).$pd === 1 &&
    typeof (value as { s?: unknown }).s === 'string' &&
    typeof (value as { c?: unknown }).c === 'string'
  );
}

/**
 * Random IVs, drawn from the system's generator a thousand at a time: one call per value cost
 * more than the encryption itself. Each IV is used once; 96 random bits make a repeat under
 * one key negligible for far more values than one subject ever has.
 */
const IVS_PER_DRAW = 1024;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * IVS_PER_DRAW);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/** Seals any JSON value. The subject id is authenticated data: a value cannot be moved to another subject. */
export function sealValue(key: Buffer, subject: string, value: unknown): SealedValue {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(subject, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]);
  return { $pd: 1, s: subject, c: sealed.toString('base64') };
}

/** Opens a sealed value; throws when the key or the data is not the one it was sealed with. */
export function openValue(key: Buffer, sealed: SealedValue): unknown {
  return JSON.parse(openText(key, sealed)) as unknown;
}

/** The JSON text of a sealed value; throws as `openValue` does. */
export function openText(key: Buffer, sealed: SealedValue): string {
  const bytes = Buffer.from(sealed.c, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(sealed.s, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}
