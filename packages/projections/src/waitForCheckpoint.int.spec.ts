import { type Position, encodePosition } from '@missive/event-store';
import { type Kysely } from 'kysely';
import { type SqlDialectName } from './database';
import { ensureProjectionTables } from './projectionTables';
import { type TestDatabase, openTestDatabase } from './testing/testDatabase';
import { waitForCheckpoint } from './waitForCheckpoint';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

describe.each<SqlDialectName>(['sqlite', 'postgres'])('waitForCheckpoint on %s', (dialect) => {
  let testDb: TestDatabase;

  beforeEach(async () => {
    testDb = await openTestDatabase(dialect);
  });

  afterEach(async () => {
    await testDb?.cleanup();
  });

  async function moveCheckpoint(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    version: number,
    position: Position,
  ): Promise<void> {
    await db
      .insertInto('projection_checkpoints')
      .values({ name: 'p', version, position: encodePosition(position), updated_at: 'now' })
      .onConflict((oc) =>
        oc.columns(['name', 'version']).doUpdateSet({ position: encodePosition(position) }),
      )
      .execute();
  }

  it('resolves false on timeout before anything is migrated, true for `start`', async () => {
    expect(await waitForCheckpoint(testDb.db, 'p', at(1), { timeoutMs: 20 })).toBe(false);
    expect(await waitForCheckpoint(testDb.db, 'p', 'start', { timeoutMs: 0 })).toBe(true);
  });

  it('resolves each waiter when a writer on another connection passes its position', async () => {
    const writer = testDb.open();
    await ensureProjectionTables(writer);
    await moveCheckpoint(writer, 1, at(10));
    expect(await waitForCheckpoint(testDb.db, 'p', at(10), { timeoutMs: 20_000 })).toBe(true);

    const early = waitForCheckpoint(testDb.db, 'p', at(20), { timeoutMs: 20_000 });
    const late = waitForCheckpoint(testDb.db, 'p', at(30), { timeoutMs: 20_000 });
    const never = waitForCheckpoint(testDb.db, 'p', at(99), { timeoutMs: 200 });
    await moveCheckpoint(writer, 1, at(25));
    expect(await early).toBe(true);
    await moveCheckpoint(writer, 1, at(30));
    expect(await late).toBe(true);
    expect(await never).toBe(false);
  });

  it('follows the highest version unless told which', async () => {
    await ensureProjectionTables(testDb.db);
    await moveCheckpoint(testDb.db, 1, at(50));
    await moveCheckpoint(testDb.db, 2, at(5));
    expect(await waitForCheckpoint(testDb.db, 'p', at(40), { timeoutMs: 30 })).toBe(false);
    expect(await waitForCheckpoint(testDb.db, 'p', at(40), { timeoutMs: 30, version: 1 })).toBe(
      true,
    );
  });
});
