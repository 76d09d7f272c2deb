import type { ChannelEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { ChannelQueries } from './channelQueries';
import { channelsProjection } from './channelsProjection';

const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

function added(
  id: string,
  userId: string,
  address: string,
  position: number,
  type: 'email' | 'sms' | 'push' = 'email',
): ChannelEvent {
  return {
    type: 'ChannelAdded',
    data: {
      channelId: id,
      userId,
      type,
      address,
      position,
      workflowState: 'unconfirmed',
      confirmationNonce: 'SECRET12',
      createdAt: t(position),
    },
  };
}

const ev = (e: ChannelEvent) => ({ id: randomUUID(), type: e.type, data: e.data });

describe.each(['sqlite', 'postgres'] as const)('channels read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;
  let queries: ChannelQueries;

  const append = (id: string, ...events: ChannelEvent[]) =>
    store.append(`channel-${id}`, events.map(ev));

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runner = new ProjectionRunner({ store, db: testDb.db, projection: channelsProjection });
    queries = new ChannelQueries(testDb.db);
  });

  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  it('lists a user’s unretired channels by position with the total, and pages them', async () => {
    await append('12', added('12', '7', 'second@example.com', 2));
    await append('11', added('11', '7', 'First@Example.com', 1));
    await append('13', added('13', '7', '+15550100', 3, 'sms'));
    await append('14', added('14', '8', 'other@example.com', 1));
    await append('12', {
      type: 'ChannelRemoved',
      data: { channelId: '12', userId: '7', removedAt: t(9) },
    });
    await runner.catchUp();

    const page = await queries.listForUser('7', { limit: 10, offset: 0 });
    expect(page.total).toBe(2);
    expect(page.items).toEqual([
      {
        id: '11',
        userId: '7',
        type: 'email',
        address: 'First@Example.com',
        position: 1,
        workflowState: 'unconfirmed',
        bounceCount: 0,
        lastBounceAt: null,
        lastBounceSummary: null,
        createdAt: t(1),
      },
      expect.objectContaining({ id: '13', type: 'sms', position: 3 }),
    ]);
    const second = await queries.listForUser('7', { limit: 1, offset: 1 });
    expect(second).toEqual({ total: 2, items: [expect.objectContaining({ id: '13' })] });
    // Retired channels keep their position, so new ones still go after them.
    expect(await queries.nextPosition('7')).toBe(4);
    expect(await queries.nextPosition('99')).toBe(1);
    expect(await queries.countUnretired('7')).toBe(2);
  });

  it('finds channels by id and by type/address case-insensitively, unretired first', async () => {
    await append('21', added('21', '7', 'jane@example.com', 1));
    await runner.catchUp();
    expect(await queries.findById('21')).toMatchObject({ id: '21', workflowState: 'unconfirmed' });
    expect(await queries.findById('999')).toBeUndefined();
    expect(await queries.findByAddress('7', 'email', ' JANE@example.COM')).toMatchObject({
      id: '21',
    });
    expect(await queries.findByAddress('7', 'sms', 'jane@example.com')).toBeUndefined();
    expect(await queries.findByAddress('8', 'email', 'jane@example.com')).toBeUndefined();
  });

  it('follows confirm, bounce, reset, remove and revive', async () => {
    await append(
      '31',
      added('31', '7', 'jane@example.com', 1),
      { type: 'ChannelConfirmed', data: { channelId: '31', userId: '7', confirmedAt: t(2) } },
      {
        type: 'ChannelBounced',
        data: { channelId: '31', userId: '7', bounceCount: 1, lastBounceAt: t(3) },
      },
      {
        type: 'ChannelBounced',
        data: {
          channelId: '31',
          userId: '7',
          bounceCount: 2,
          lastBounceAt: t(4),
          summary: '550 5.1.1 no such user',
        },
      },
    );
    await runner.catchUp();
    expect(await queries.findById('31')).toMatchObject({
      workflowState: 'active',
      bounceCount: 2,
      lastBounceAt: t(4),
      lastBounceSummary: '550 5.1.1 no such user',
    });

    await append('31', {
      type: 'ChannelBounceReset',
      data: { channelId: '31', userId: '7', resetAt: t(5) },
    });
    await runner.catchUp();
    // The count clears; the time of the last bounce stays as history.
    expect(await queries.findById('31')).toMatchObject({ bounceCount: 0, lastBounceAt: t(4) });

    await append(
      '31',
      {
        type: 'ChannelBounced',
        data: { channelId: '31', userId: '7', bounceCount: 1, lastBounceAt: t(6) },
      },
      { type: 'ChannelRemoved', data: { channelId: '31', userId: '7', removedAt: t(7) } },
    );
    await runner.catchUp();
    expect(await queries.findById('31')).toMatchObject({ workflowState: 'retired' });
    expect((await queries.listForUser('7', { limit: 10, offset: 0 })).total).toBe(0);
    expect(await queries.findByAddress('7', 'email', 'jane@example.com')).toMatchObject({
      id: '31',
      workflowState: 'retired',
    });

    await append('31', {
      type: 'ChannelRevived',
      data: {
        channelId: '31',
        userId: '7',
        workflowState: 'unconfirmed',
        confirmationNonce: 'AGAIN123',
        revivedAt: t(8),
      },
    });
    await runner.catchUp();
    expect(await queries.findById('31')).toMatchObject({
      workflowState: 'unconfirmed',
      position: 1,
      bounceCount: 0,
      lastBounceAt: null,
      lastBounceSummary: null,
    });
  });
});
