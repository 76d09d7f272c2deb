import type { SchemalessDb } from '@missive/read-models';
import { sql } from 'kysely';

/** What a finished request answered, kept so that a retry with the same key gets it again. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type Claim =
  /**
   * `since`: when this request first claimed the key. A retry that takes over the claim of a
   * process that died mid-request gets the first claim's time, so a handler can derive the
   * same ids as the dead attempt did and find what it wrote.
   */
  | { readonly kind: 'claimed'; readonly since: number }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  /** The key was first used for a different request (method, path or body). */
  | { readonly kind: 'mismatch' }
  /** Another instance (or this one) is still answering the first request with this key. */
  | { readonly kind: 'in-flight' };

export interface IdempotencyKeysOptions {
  /** How long a finished request is remembered (Stripe keeps keys 24 hours). */
  readonly ttlMs: number;
  /**
   * How long a claim stays with the instance that took it. A process that dies mid-request
   * leaves its claim behind; after this long a retry takes it over instead of waiting forever.
   */
  readonly leaseMs: number;
}

interface Row {
  fingerprint: string;
  ids: string | null;
  state: string;
  claimed_at: number | string;
  first_claimed_at: number | string;
  status: number | null;
  headers: string | null;
  body: string | null;
}

/**
 * The `Idempotency-Key` records, in the read-model database so that every API
 * instance sees them. They are not a read model: nothing in the log produces them, a rebuild
 * leaves them alone, and losing them only forgets which retries were already answered.
 */
export class IdempotencyKeys {
  private lastPurge = 0;

  constructor(
    private readonly db: SchemalessDb,
    private readonly options: IdempotencyKeysOptions,
  ) {}

  async migrate(): Promise<void> {
    await createOnce(() =>
      this.db.schema
        .createTable('idempotency_keys')
        .ifNotExists()
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('first_claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('headers', 'text')
        .addColumn('body', 'text')
        .addColumn('ids', 'text')
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
        .execute(),
    );
    // Added after the table first shipped: older databases get the column here. Probed with
    // a query, which reads this connection's own table whatever the schemas around it.
    if (!(await this.hasIdsColumn())) {
      await this.db.schema
        .alterTable('idempotency_keys')
        .addColumn('ids', 'text')
        .execute()
        .catch(async (error: unknown) => {
          // Another instance added it meanwhile.
          if (!(await this.hasIdsColumn())) throw error;
        });
    }
    await createOnce(() =>
      this.db.schema
        .createIndex('idempotency_keys_claimed_at')
        .ifNotExists()
        .on('idempotency_keys')
        .column('claimed_at')
        .execute(),
    );
  }

  private hasIdsColumn(): Promise<boolean> {
    return this.db
      .selectFrom('idempotency_keys')
      .select('ids')
      .limit(1)
      .execute()
      .then(
        () => true,
        () => false,
      );
  }

  async claim(scope: string, key: string, fingerprint: string, now = Date.now()): Promise<Claim> {
    this.purgeNowAndThen(now);
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        scope,
        key,
        fingerprint,
        state: 'in_flight',
        claimed_at: now,
        first_claimed_at: now,
      })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1)
      return { kind: 'claimed', since: now };

    const row = (await this.db
      .selectFrom('idempotency_keys')
      .select([
        'fingerprint',
        'state',
        'claimed_at',
        'first_claimed_at',
        'status',
        'headers',
        'body',
      ])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst()) as Row | undefined;
    // Purged between the insert and the read: the key is free again.
    if (!row) return this.claim(scope, key, fingerprint, now);
    const claimedAt = Number(row.claimed_at);
    const expired =
      row.state === 'done'
        ? claimedAt < now - this.options.ttlMs
        : claimedAt < now - this.options.leaseMs;
    if (expired) {
      // The same request taking over a dead attempt continues it; anything else starts afresh.
      const since =
        row.state !== 'done' && row.fingerprint === fingerprint
          ? Number(row.first_claimed_at)
          : now;
      const continuing = since !== now;
      return (await this.takeOver(scope, key, fingerprint, claimedAt, since, now, continuing))
        ? { kind: 'claimed', since }
        : { kind: 'in-flight' };
    }
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state !== 'done') return { kind: 'in-flight' };
    return {
      kind: 'replay',
      response: {
        status: Number(row.status),
        headers: JSON.parse(row.headers ?? '{}') as Record<string, string>,
        body: row.body ?? '',
      },
    };
  }

  /**
   * The first `count` ids of the request holding this claim: those an earlier attempt of the
   * same request already fixed, then fresh ones from `fresh`, stored before they are returned.
   * A retry that takes over from an attempt that died mid-request so writes under the same
   * ids, and finds what that attempt wrote instead of writing it again.
   */
  async reserveIds(
    scope: string,
    key: string,
    fingerprint: string,
    count: number,
    fresh: () => string,
  ): Promise<string[]> {
    for (;;) {
      const row = await this.db
        .selectFrom('idempotency_keys')
        .select(['ids'])
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('fingerprint', '=', fingerprint)
        .where('state', '=', 'in_flight')
        .executeTakeFirst();
      if (!row) throw new Error(`idempotency key ${key} is no longer claimed by this request`);
      const stored = (row as { ids: string | null }).ids;
      const known = stored === null ? [] : (JSON.parse(stored) as string[]);
      if (known.length >= count) return known.slice(0, count);
      const ids = [...known, ...Array.from({ length: count - known.length }, fresh)];
      // Compare-and-set on what was read: a concurrent reservation makes this one read again.
      const updated = await this.db
        .updateTable('idempotency_keys')
        .set({ ids: JSON.stringify(ids) })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('fingerprint', '=', fingerprint)
        .where('state', '=', 'in_flight')
        .where((eb) => (stored === null ? eb('ids', 'is', null) : eb('ids', '=', stored)))
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return ids;
    }
  }

  /** Records the answer; from now on a retry gets it. */
  async complete(
    scope: string,
    key: string,
    fingerprint: string,
    response: StoredResponse,
    now = Date.now(),
  ): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({
        state: 'done',
        claimed_at: now,
        status: response.status,
        headers: JSON.stringify(response.headers),
        body: response.body,
      })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('fingerprint', '=', fingerprint)
      .where('state', '=', 'in_flight')
      .execute();
  }

  /** Forgets a claim whose request was refused or failed: it wrote nothing, so retry afresh. */
  async release(scope: string, key: string, fingerprint: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('fingerprint', '=', fingerprint)
      .where('state', '=', 'in_flight')
      .execute();
  }

  async purgeExpired(now = Date.now()): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('claimed_at', '<', now - Math.max(this.options.ttlMs, this.options.leaseMs))
      .execute();
  }

  /** Compare-and-set on the claim time: of two retries racing for an expired key, one wins. */
  private async takeOver(
    scope: string,
    key: string,
    fingerprint: string,
    claimedAt: number,
    since: number,
    now: number,
    keepIds: boolean,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({
        fingerprint,
        state: 'in_flight',
        claimed_at: now,
        first_claimed_at: since,
        status: null,
        headers: null,
        body: null,
        // A retry continuing a dead attempt writes under that attempt's ids.
        ...(keepIds ? {} : { ids: null }),
      })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('claimed_at', '=', sql<number>`${claimedAt}`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Expired keys go at most once a minute, off the request's path. */
  private purgeNowAndThen(now: number): void {
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    // A failed purge only keeps old keys a minute longer; the next one tries again.
    this.purgeExpired(now).catch(() => undefined);
  }
}

/**
 * Runs a `CREATE ... IF NOT EXISTS` again if it fails: on PostgreSQL it is not safe against a
 * concurrent creator (a cluster's workers, or instances, starting together on a new database),
 * which makes it fail on a unique violation in the catalog once the other commits; run again,
 * it finds what the other created. A real failure fails twice.
 */
async function createOnce(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch {
    await create();
  }
}
