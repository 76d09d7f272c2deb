import {
  openTestDatabase,
  type TestDatabase,
} from '../../../../packages/projections/src/testing/testDatabase';
import { IdempotencyKeys } from './idempotencyKeys';

const TTL = 24 * 3600_000;
const LEASE = 60_000;
const T0 = Date.UTC(2026, 10, 23);
const answer = { status: 201, headers: { 'content-type': 'application/json' }, body: '[1]' };

describe.each(['sqlite', 'postgres'] as const)('IdempotencyKeys on %s', (dialect) => {
  let testDb: TestDatabase;
  let keys: IdempotencyKeys;

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
    keys = new IdempotencyKeys(testDb.db, { ttlMs: TTL, leaseMs: LEASE });
    await keys.migrate();
    await keys.migrate(); // idempotent DDL: every instance runs it at start
  });

  afterEach(() => testDb.cleanup());

  it('claims a new key once, then replays the recorded answer to the same request', async () => {
    expect(await keys.claim('u1', 'k', 'f1', T0)).toEqual({ kind: 'claimed', since: T0 });
    expect(await keys.claim('u1', 'k', 'f1', T0 + 1)).toEqual({ kind: 'in-flight' });
    await keys.complete('u1', 'k', 'f1', answer, T0 + 2);
    expect(await keys.claim('u1', 'k', 'f1', T0 + 3)).toEqual({ kind: 'replay', response: answer });
  });

  it('refuses the key for a different request, in flight or done', async () => {
    await keys.claim('u1', 'k', 'f1', T0);
    expect(await keys.claim('u1', 'k', 'f2', T0 + 1)).toEqual({ kind: 'mismatch' });
    await keys.complete('u1', 'k', 'f1', answer, T0 + 2);
    expect(await keys.claim('u1', 'k', 'f2', T0 + 3)).toEqual({ kind: 'mismatch' });
  });

  it('keeps scopes apart: another credential with the same key runs its own request', async () => {
    await keys.claim('u1', 'k', 'f1', T0);
    await keys.complete('u1', 'k', 'f1', answer, T0);
    expect(await keys.claim('u2', 'k', 'f1', T0 + 1)).toEqual({ kind: 'claimed', since: T0 + 1 });
  });

  it('forgets a released claim, so the retry runs afresh', async () => {
    await keys.claim('u1', 'k', 'f1', T0);
    await keys.release('u1', 'k', 'f1');
    expect(await keys.claim('u1', 'k', 'f2', T0 + 1)).toEqual({ kind: 'claimed', since: T0 + 1 });
  });

  it('lets one retry take over a claim left by a dead instance after the lease', async () => {
    await keys.claim('u1', 'k', 'f1', T0);
    const later = T0 + LEASE + 1;
    const [a, b] = await Promise.all([
      keys.claim('u1', 'k', 'f1', later),
      keys.claim('u1', 'k', 'f1', later),
    ]);
    expect([a.kind, b.kind].sort()).toEqual(['claimed', 'in-flight']);
    // The retry continues the dead attempt: it learns when that attempt began.
    expect([a, b]).toContainEqual({ kind: 'claimed', since: T0 });
  });

  it('starts afresh when a different request takes over a dead claim', async () => {
    await keys.claim('u1', 'k', 'f1', T0);
    expect(await keys.claim('u1', 'k', 'f2', T0 + LEASE + 1)).toEqual({
      kind: 'claimed',
      since: T0 + LEASE + 1,
    });
  });

  it('forgets a finished request after the TTL, and purges expired keys', async () => {
    await keys.claim('u1', 'old', 'f1', T0);
    await keys.complete('u1', 'old', 'f1', answer, T0);
    await keys.claim('u1', 'new', 'f1', T0 + TTL);
    await keys.complete('u1', 'new', 'f1', answer, T0 + TTL);
    expect(await keys.claim('u1', 'old', 'f2', T0 + TTL + 1)).toEqual({
      kind: 'claimed',
      since: T0 + TTL + 1,
    });
    await keys.purgeExpired(T0 + 2 * TTL + 2);
    const left = await testDb.db.selectFrom('idempotency_keys').select('key').execute();
    expect(left).toEqual([]);
  });

  it('gives exactly one of many concurrent first requests the claim', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => keys.claim('u1', 'race', 'f1', T0)),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'in-flight')).toHaveLength(7);
  });

  it('fixes the ids of a request, and gives them again to the retry that takes over', async () => {
    let n = 0;
    const fresh = () => String(++n);
    await keys.claim('u1', 'k', 'f1', T0);
    expect(await keys.reserveIds('u1', 'k', 'f1', 2, fresh)).toEqual(['1', '2']);
    expect(await keys.reserveIds('u1', 'k', 'f1', 3, fresh)).toEqual(['1', '2', '3']);
    // The attempt died; its retry (same request) takes over after the lease: the same ids.
    expect(await keys.claim('u1', 'k', 'f1', T0 + LEASE + 1)).toEqual({
      kind: 'claimed',
      since: T0,
    });
    expect(await keys.reserveIds('u1', 'k', 'f1', 2, fresh)).toEqual(['1', '2']);
    // Another request taking over an expired key starts afresh.
    expect(await keys.claim('u1', 'k', 'f2', T0 + 3 * LEASE)).toMatchObject({ kind: 'claimed' });
    expect(await keys.reserveIds('u1', 'k', 'f2', 1, fresh)).toEqual(['4']);
    await expect(keys.reserveIds('u1', 'k', 'f1', 1, fresh)).rejects.toThrow(/no longer claimed/);
  });

  it('adds the ids column to a table made before it existed', async () => {
    await testDb.db.schema.dropTable('idempotency_keys').execute();
    await testDb.db.schema
      .createTable('idempotency_keys')
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('first_claimed_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'integer')
      .addColumn('headers', 'text')
      .addColumn('body', 'text')
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
      .execute();
    await keys.migrate();
    await keys.claim('u1', 'k', 'f1', T0);
    expect(await keys.reserveIds('u1', 'k', 'f1', 1, () => '7')).toEqual(['7']);
  });

  it('lets several instances starting together migrate a new database', async () => {
    await testDb.db.schema.dropTable('idempotency_keys').execute();
    // Each on its own connection, as a cluster's workers are: on PostgreSQL, concurrent
    // CREATE TABLE IF NOT EXISTS fails on a unique violation in the catalog unless retried.
    const instances = Array.from({ length: 4 }, () => testDb.open());
    await Promise.all(
      instances.map((db) => new IdempotencyKeys(db, { ttlMs: TTL, leaseMs: LEASE }).migrate()),
    );
    expect(await keys.claim('u1', 'k', 'f1', T0)).toEqual({ kind: 'claimed', since: T0 });
  });
});
