import { ConfirmationCodes, IdGenerator, type OutboundEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner, countParked } from '@missive/projections';
import {
  openTestDatabase,
  type TestDatabase,
} from '../../../../packages/projections/src/testing/testDatabase';
import {
  addChannel,
  at,
  channelEvent,
  eventData,
  outboundCreated,
  streamEvents,
} from '../testing/notifierEvents';
import { notificationsProcessManager } from '../notifications/notificationsProcessManager';
import { bounceFeedbackProcessManager } from './bounceFeedbackProcessManager';

describe.each(['sqlite', 'postgres'] as const)('bounce feedback on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  const runners: ProjectionRunner[] = [];

  const run = async (db = testDb.db) => {
    const runner = new ProjectionRunner({
      store,
      db,
      projection: bounceFeedbackProcessManager({ store }),
    });
    runners.push(runner);
    await runner.catchUp();
  };
  const outbound = (id: string, ...events: OutboundEvent[]) =>
    store.append(
      `outbound-${id}`,
      events.map((e) => eventData(e, `corr-${id}`)),
    );
  const sent = (outboundId: string): OutboundEvent => ({
    type: 'OutboundMessageSent',
    data: { outboundId, attempt: 1, transport: 'sandbox', providerMessageId: null, sentAt: at(5) },
  });
  const bounced = (outboundId: string): OutboundEvent => ({
    type: 'OutboundMessageBounced',
    data: { outboundId, reason: '550 no such user', bouncedAt: at(6) },
  });
  const channelHistory = async (channelId: string) =>
    (await streamEvents(store, `channel-${channelId}`)).map((e) => e.type);

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    await addChannel(store, { channelId: '21', userId: '2', address: 'ben@example.com' });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await testDb.cleanup();
    await store.close();
  });

  it('counts a bounce against the channel once, caused by the bounce, even when replayed', async () => {
    await outbound('a1', outboundCreated({ outboundId: 'a1', channelId: '21' }));
    const { position } = await outbound('a1', bounced('a1'));
    await run();

    const events = await streamEvents(store, 'channel-21');
    expect(events.map((e) => e.type)).toEqual(['ChannelAdded', 'ChannelBounced']);
    const bounce = events[1]!;
    expect(bounce.data).toEqual({
      channelId: '21',
      userId: '2',
      bounceCount: 1,
      lastBounceAt: at(6),
      summary: '550 no such user',
    });
    let cause;
    for await (const e of store.readAll({ filter: { eventTypes: ['OutboundMessageBounced'] } })) {
      if (e.position.commit === position.commit) cause = e;
    }
    expect(bounce.metadata).toMatchObject({
      causationId: cause!.id,
      correlationId: 'corr-a1',
      actorUserId: null,
    });

    const fresh = await openTestDatabase(dialect);
    try {
      await run(fresh.db);
      expect(await channelHistory('21')).toEqual(['ChannelAdded', 'ChannelBounced']);
    } finally {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await fresh.cleanup();
    }
  });

  it('counts a bounce on every live email channel with the address, whoever owns it (bounce_for_path)', async () => {
    await addChannel(store, { channelId: '31', userId: '3', address: ' Ben@Example.COM' });
    await addChannel(store, { channelId: '33', userId: '5', address: 'ben@example.com' });
    await channelEvent(store, {
      type: 'ChannelRemoved',
      data: { channelId: '33', userId: '5', removedAt: at(1) },
    });
    await addChannel(store, { channelId: '41', userId: '4', address: 'other@example.com' });
    await outbound('a1', outboundCreated({ outboundId: 'a1', channelId: '21' }), bounced('a1'));
    // The address book is the notifications process manager's: it runs beside this one.
    const runBoth = async (db = testDb.db) => {
      const notifications = new ProjectionRunner({
        store,
        db,
        projection: notificationsProcessManager({
          store,
          ids: new IdGenerator(5),
          codes: new ConfirmationCodes('n'.repeat(32)),
          sender: { from: 'notifications@example.com', fromName: 'Missive' },
          bounceThreshold: 1,
        }),
      });
      runners.push(notifications);
      await notifications.catchUp();
      await run(db);
    };
    await runBoth();

    expect(await channelHistory('21')).toEqual(['ChannelAdded', 'ChannelBounced']);
    const sibling = await streamEvents(store, 'channel-31');
    expect(sibling.map((e) => e.type)).toEqual(['ChannelAdded', 'ChannelBounced']);
    expect(sibling[1]!.data).toEqual({
      channelId: '31',
      userId: '3',
      bounceCount: 1,
      lastBounceAt: at(6),
      summary: '550 no such user',
    });
    const direct = (await streamEvents(store, 'channel-21'))[1]!;
    expect(sibling[1]!.metadata['causationId']).toBe(direct.metadata['causationId']);
    expect(sibling[1]!.id).not.toBe(direct.id);
    // Retired, or another address: untouched.
    expect(await channelHistory('33')).toEqual(['ChannelAdded', 'ChannelRemoved']);
    expect(await channelHistory('41')).toEqual(['ChannelAdded']);

    // Replayed into a fresh database: nothing is counted twice.
    const fresh = await openTestDatabase(dialect);
    try {
      await runBoth(fresh.db);
      expect(await channelHistory('21')).toEqual(['ChannelAdded', 'ChannelBounced']);
      expect(await channelHistory('31')).toEqual(['ChannelAdded', 'ChannelBounced']);
    } finally {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await fresh.cleanup();
    }
  });

  it('counts a burst of bounces to one channel once an hour', async () => {
    const bouncedAt = (outboundId: string, bouncedAt: string): OutboundEvent => ({
      type: 'OutboundMessageBounced',
      data: { outboundId, reason: '550 no such user', bouncedAt },
    });
    const hours = (h: number) => new Date(Date.parse(at(6)) + h * 3600_000).toISOString();
    for (const [id, time] of [
      ['c1', hours(0)],
      ['c2', hours(0.5)],
      ['c3', hours(0.99)],
      ['c4', hours(1)],
    ] as const) {
      await outbound(id, outboundCreated({ outboundId: id, channelId: '21' }));
      await outbound(id, bouncedAt(id, time));
    }
    await run();
    const bounces = (await streamEvents(store, 'channel-21')).filter(
      (e) => e.type === 'ChannelBounced',
    );
    const bounced = { channelId: '21', userId: '2', summary: '550 no such user' };
    expect(bounces.map((e) => e.data)).toEqual([
      { ...bounced, bounceCount: 1, lastBounceAt: hours(0) },
      { ...bounced, bounceCount: 2, lastBounceAt: hours(1) },
    ]);
  });

  it('clears the count on the next successful send, and writes nothing to a channel without bounces', async () => {
    await outbound('b1', outboundCreated({ outboundId: 'b1', channelId: '21' }), sent('b1'));
    await outbound('b2', outboundCreated({ outboundId: 'b2', channelId: '21' }), sent('b2'));
    await run();
    expect(await channelHistory('21')).toEqual(['ChannelAdded']);

    await outbound('b3', outboundCreated({ outboundId: 'b3', channelId: '21' }), sent('b3'));
    await outbound('b4', outboundCreated({ outboundId: 'b4', channelId: '21' }));
    await outbound('b4', bounced('b4'));
    await outbound('b5', outboundCreated({ outboundId: 'b5', channelId: '21' }), sent('b5'));
    await outbound('b6', outboundCreated({ outboundId: 'b6', channelId: '21' }), sent('b6'));
    await run();
    expect(await channelHistory('21')).toEqual([
      'ChannelAdded',
      'ChannelBounced',
      'ChannelBounceReset',
    ]);
  });

  it('ignores bounces of Comms messages and of removed channels without parking them', async () => {
    await outbound('c1', outboundCreated({ outboundId: 'c1', channelId: null, channel: 'phone' }));
    await outbound('c1', bounced('c1'));
    await addChannel(store, { channelId: '22', userId: '2', address: 'old@example.com' });
    await outbound('c2', outboundCreated({ outboundId: 'c2', channelId: '22' }));
    await channelEvent(store, {
      type: 'ChannelRemoved',
      data: { channelId: '22', userId: '2', removedAt: at(2) },
    });
    await outbound('c2', bounced('c2'));
    await run();

    expect(await channelHistory('22')).toEqual(['ChannelAdded', 'ChannelRemoved']);
    expect(await countParked(testDb.db, 'bounce-feedback', 1)).toBe(0);
  });

  it('keeps the order of a bounce and a send on one channel within a batch', async () => {
    await outbound('d1', outboundCreated({ outboundId: 'd1', channelId: '21' }));
    await outbound('d2', outboundCreated({ outboundId: 'd2', channelId: '21' }));
    await outbound('d1', bounced('d1'));
    await outbound('d2', sent('d2'));
    await outbound('d3', outboundCreated({ outboundId: 'd3', channelId: '21' }));
    await outbound('d3', bounced('d3'));
    await run();

    const events = await streamEvents(store, 'channel-21');
    expect(events.map((e) => [e.type, (e.data as { bounceCount?: number }).bounceCount])).toEqual([
      ['ChannelAdded', undefined],
      ['ChannelBounced', 1],
      ['ChannelBounceReset', undefined],
      ['ChannelBounced', 1],
    ]);
  });
});
