import { listenOnReadModel, type ReadModelListener } from '@missive/projections';
import type { SchemalessDb } from '../schemaless';

/** What the users projection notifies on when a token stops authenticating (see below). */
export const ACCESS_CHANGED_CHANNEL = 'missive_access_changed';

/** What a token lookup found: the user, and until when the token is valid. */
export interface CachedToken<U> {
  readonly user: U;
  readonly expiresAt: string | null;
}

/**
 * Tokens found valid, by hash, kept in this process so that a request on PostgreSQL does not
 * spend a round trip on its token. A token stops authenticating only when the users projection
 * deletes its row (revoked, or its user erased), and that projection notifies every process
 * in the same transaction (`ACCESS_CHANGED_CHANNEL`), which empties this cache when it commits.
 * Expiry is checked on every use. Nothing is kept while the notifications cannot be heard (not
 * yet listening, or the connection lost): the cache is emptied then, and a lookup whose answer
 * may predate a notification (the generation moved while it ran) is not kept either. Entries
 * also age out after `maxAgeMs`, a bound on staleness should a projector not notify at all (an
 * older version still running during a deploy). Unknown tokens are never kept.
 */
export class TokenCache<U> {
  readonly #entries = new Map<string, CachedToken<U> & { readonly until: number }>();
  #generation = 0;
  #listening = false;
  #listener: ReadModelListener | undefined;

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxAgeMs = 10_000,
  ) {}

  /** A cache fed by `db`'s notifications: PostgreSQL only (undefined on SQLite). */
  static listening<U>(db: SchemalessDb): TokenCache<U> | undefined {
    const cache = new TokenCache<U>();
    cache.#listener = listenOnReadModel(db, ACCESS_CHANGED_CHANNEL, {
      notified: () => cache.invalidate(),
      listening: (on) => {
        cache.invalidate();
        cache.#listening = on;
      },
    });
    return cache.#listener ? cache : undefined;
  }

  /** Taken before a lookup, handed back to `put`. */
  get generation(): number {
    return this.#generation;
  }

  get(tokenHash: string, now = Date.now()): CachedToken<U> | undefined {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until > now) return entry;
    this.#entries.delete(tokenHash);
    return undefined;
  }

  /** Keeps a lookup's answer, unless the cache was emptied since `generation` was taken. */
  put(tokenHash: string, generation: number, token: CachedToken<U>, now = Date.now()): void {
    if (!this.#listening || generation !== this.#generation) return;
    if (this.#entries.size >= this.maxEntries && !this.#entries.has(tokenHash)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(tokenHash, { ...token, until: now + this.maxAgeMs });
  }

  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }

  async close(): Promise<void> {
    await this.#listener?.close();
    this.invalidate();
    this.#listening = false;
  }
}
