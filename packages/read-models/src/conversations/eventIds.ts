/** Reading ids and lists out of events, as the database would take them. */

/** Ids as the database stores them (`7`, not `07`): the fold matches rows by these strings. */
const CANONICAL_ID = /^(0|[1-9][0-9]{0,17})$/;
const DIGITS = /^[0-9]{1,19}$/;

/**
 * An event's id as the database would store it, so that `07` finds the row of `7` as SQL's
 * comparison would. Anything that is not a number cannot name a row: the event fails alone.
 */
export function idOf(value: unknown): string {
  if (typeof value === 'string') {
    if (CANONICAL_ID.test(value)) return value;
    if (DIGITS.test(value)) return String(BigInt(value));
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  throw new TypeError(`not an id: ${JSON.stringify(value)}`);
}

export function listOf<T>(value: readonly T[] | undefined, name: string): readonly T[] {
  if (!Array.isArray(value)) throw new TypeError(`${name} is not a list`);
  return value;
}
