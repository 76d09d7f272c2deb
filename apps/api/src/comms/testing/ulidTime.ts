const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** The millisecond a ULID was made in (its first 10 characters). */
export function decodeUlidTime(ulid: string): number {
  let ms = 0;
  for (const char of ulid.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(char);
  return ms;
}
