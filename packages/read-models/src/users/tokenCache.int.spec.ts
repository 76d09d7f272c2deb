import type { RecordedEvent } from '@missive/event-store';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { TokenCache } from './tokenCache';
import { UserQueries, type UserRecord } from './userQueries';
import { usersProjection } from './usersProjection';

let position = 0;
function recorded(type: string, data: Record<string, unknown>): RecordedEvent {
  position++;
  return {
    id: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    stream: `user-${String(data.userId)}`,
    revision: BigInt(position),
    position: { commit: BigInt(position), prepare: BigInt(position) },
    type,
    data,
    metadata: {},
    createdAt: new Date(),
  } as unknown as RecordedEvent;
}

const NOW = new Date('2026-06-01T00:00:00Z');

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(await check()).toBe(true);
}

describe('TokenCache on PostgreSQL', () => {
  let testDb: TestDatabase;
  const caches: TokenCache<UserRecord>[] = [];

  const apply = (...events: RecordedEvent[]) =>
    testDb.db.transaction().execute((tx) => usersProjection.apply(events, tx));
  const registered = (userId: string) =>
    recorded('UserRegistered', {
      userId,
      name: `User ${userId}`,
      shortName: `U${userId}`,
      sortableName: `${userId}, User`,
      loginId: `u${userId}`,
      siteAdmin: false,
      createdAt: '2026-01-01T00:00:00Z',
    });
  const issued = (userId: string, tokenId: string, expiresAt: string | null = null) =>
    recorded('AccessTokenIssued', {
      userId,
      tokenId,
      tokenHash: `hash-${tokenId}`,
      hint: 'abcd',
      purpose: null,
      createdAt: '2026-01-01T00:00:00Z',
      expiresAt,
    });

  /** A process's users queries: its own pool and its own cache, listening. */
  function process(): UserQueries {
    const db = testDb.open();
    const cache = TokenCache.listening<UserRecord>(db)!;
    caches.push(cache);
    return new UserQueries(db, cache);
  }

  /**
   * Waits until each of these processes keeps what it looks up (its cache listens): a probe
   * token whose row is deleted behind the projection's back (no notification) still
   * authenticates from memory.
   */
  async function untilKept(userId: string, ...processes: UserQueries[]): Promise<void> {
    const probe = `probe${userId}`;
    await until(async () => {
      await apply(issued(userId, probe));
      for (const p of processes) await p.findByTokenHash(`hash-${probe}`, NOW);
      await testDb.db.deleteFrom('access_tokens').where('token_id', '=', probe).execute();
      for (const p of processes) {
        if ((await p.findByTokenHash(`hash-${probe}`, NOW)) === undefined) return false;
      }
      return true;
    });
  }

  beforeEach(async () => {
    testDb = await openTestDatabase('postgres');
    await usersProjection.migrate(testDb.db);
  });

  afterEach(async () => {
    await Promise.all(caches.splice(0).map((c) => c.close()));
    await testDb.cleanup();
  });

  it('keeps a valid token until the users projection revokes it, in every process', async () => {
    await apply(registered('7'), issued('7', '71'));
    const a = process();
    const b = process();
    await untilKept('7', a, b);
    expect((await a.findByTokenHash('hash-71', NOW))?.id).toBe('7');
    expect((await b.findByTokenHash('hash-71', NOW))?.id).toBe('7');
    // The projection revokes 71: both processes stop authenticating it when it commits.
    await apply(recorded('AccessTokenRevoked', { userId: '7', tokenId: '71' }));
    await until(async () => (await a.findByTokenHash('hash-71', NOW)) === undefined);
    await until(async () => (await b.findByTokenHash('hash-71', NOW)) === undefined);
    // The notification emptied the caches: the probe, whose row is gone, is refused too.
    expect(await a.findByTokenHash('hash-probe7', NOW)).toBeUndefined();
  });

  it('drops every token of an erased user, and checks expiry on each use', async () => {
    await apply(registered('8'), issued('8', '80', '2026-06-01T00:00:01Z'), issued('8', '81'));
    const a = process();
    await untilKept('8', a);
    expect((await a.findByTokenHash('hash-80', NOW))?.id).toBe('8');
    expect(await a.findByTokenHash('hash-80', new Date('2026-06-01T00:00:02Z'))).toBeUndefined();
    expect((await a.findByTokenHash('hash-81', NOW))?.id).toBe('8');
    await apply(recorded('UserErased', { userId: '8' }));
    await until(async () => (await a.findByTokenHash('hash-81', NOW)) === undefined);
  });
});

describe('TokenCache on SQLite', () => {
  it('is not made: a lookup there is an in-process read', async () => {
    const testDb = await openTestDatabase('sqlite');
    try {
      expect(TokenCache.listening(testDb.db)).toBeUndefined();
    } finally {
      await testDb.cleanup();
    }
  });
});
