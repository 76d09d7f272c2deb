import { LRUCache } from 'lru-cache';
import type { SealedValue } from './fieldCipher';

/** An opened primitive as it is, or an opened object's JSON text. */
type Opened = { readonly value: unknown } | { readonly text: string };

/** What `find` answers for a value not kept. */
export const NOT_KEPT: unique symbol = Symbol('not kept');

/**
 * Values opened before, by subject and ciphertext, within a bound of characters and for a
 * limited time. The subject is part of the entry: the same ciphertext under another subject
 * would not authenticate, so it must not be answered from here either. The caller uses an
 * entry only while the subject's key is live.
 */
export class OpenedValues {
  readonly #cache: LRUCache<string, Opened>;

  constructor(maxChars: number, ttlMs: number) {
    this.#cache = new LRUCache<string, Opened>({
      maxSize: maxChars,
      sizeCalculation: (opened, entry) => sizeOf(opened) + entry.length,
      ttl: ttlMs,
    });
  }

  /** The value as it was opened, a copy of its own for an object; NOT_KEPT if not kept. */
  find(sealed: SealedValue): unknown {
    const opened = this.#cache.get(entryOf(sealed));
    if (opened === undefined) return NOT_KEPT;
    return 'text' in opened ? (JSON.parse(opened.text) as unknown) : opened.value;
  }

  /** Keeps what `sealed` opened to (its JSON text) and answers the value. */
  keep(sealed: SealedValue, text: string): unknown {
    const value = JSON.parse(text) as unknown;
    // A string or number is immutable and kept as it is; an object or array is kept as text
    // and parsed on every read, since a caller may change what it is given.
    this.#cache.set(
      entryOf(sealed),
      typeof value === 'object' && value !== null ? { text } : { value },
    );
    return value;
  }
}

const entryOf = (sealed: SealedValue): string => `${sealed.s}\u0000${sealed.c}`;

const sizeOf = (opened: Opened): number =>
  'text' in opened
    ? opened.text.length
    : typeof opened.value === 'string'
      ? opened.value.length
      : 8;
