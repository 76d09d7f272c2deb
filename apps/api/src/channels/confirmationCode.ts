import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: the code is read from a message and typed back by a person. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/** A fresh random confirmation code (31^8 ≈ 8.5e11 possibilities). */
export function newConfirmationCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}
