import type { OutboundEvent, OutboundMessageCreated } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import type { SchemalessDb } from '../schemaless';
import { findOutbound, findOutboundByProviderId, listCommMessages } from './outboundMessageQueries';
import { outboundMessagesProjection } from './outboundMessagesProjection';

const t = (minute: number, second = 0) =>
  new Date(Date.UTC(2026, 0, 1, 12, minute, second)).toISOString();

/** Outbound ids are ULIDs; any distinct lowercase text will do for the read model. */
const oid = (n: number) => `01jtest${String(n).padStart(19, '0')}`;

function created(
  n: number,
  overrides: Partial<OutboundMessageCreated['data']> = {},
): OutboundMessageCreated {
  return {
    type: 'OutboundMessageCreated',
    data: {
      outboundId: oid(n),
      messageId: String(1000 + n),
      kind: 'conversation_message',
      userId: '7',
      channelId: '9',
      channel: 'email',
      to: 'ada@example.com',
      from: 'notifications@missive.test',
      fromName: 'Missive',
      replyTo: 'reply+5@missive.test',
      subject: `Subject ${n}`,
      body: `Body ${n}`,
      htmlBody: `<p>Body ${n}</p>`,
      media: [],
      conversationId: '5',
      operationId: null,
      tags: {},
      scheduledFor: null,
      cause: { eventId: `cause-${n}`, streamId: 'conversation-5', type: 'MessageAdded' },
      suppressed: false,
      createdAt: t(n),
      ...overrides,
    },
  };
}

const dispatch = (n: number, attempt: number, at: string): OutboundEvent => ({
  type: 'OutboundDispatchStarted',
  data: { outboundId: oid(n), attempt, transport: 'smtp', startedAt: at },
});
const sent = (n: number, attempt: number, at: string, providerId = `<${n}@mx>`): OutboundEvent => ({
  type: 'OutboundMessageSent',
  data: {
    outboundId: oid(n),
    attempt,
    transport: 'smtp',
    providerMessageId: providerId,
    sentAt: at,
  },
});
const failed = (n: number, attempt: number, at: string, retryAt: string | null): OutboundEvent => ({
  type: 'OutboundAttemptFailed',
  data: {
    outboundId: oid(n),
    attempt,
    error: { code: '421', message: 'try later' },
    retryAt,
    failedAt: at,
  },
});
const bounced = (n: number, at: string): OutboundEvent => ({
  type: 'OutboundMessageBounced',
  data: { outboundId: oid(n), reason: '550 no such user', bouncedAt: at },
});

const ev = (e: OutboundEvent) => ({ id: randomUUID(), type: e.type, data: e.data });

async function snapshot(db: SchemalessDb): Promise<unknown[]> {
  const { rows } = await sql<
    Record<string, unknown>
  >`SELECT * FROM outbound_messages ORDER BY outbound_id`.execute(db);
  // PostgreSQL answers bigint columns as text and SQLite as numbers: compare the values.
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? v : String(v)])),
  );
}

describe.each(['sqlite', 'postgres'] as const)('outbound messages read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;

  const append = (n: number, ...events: OutboundEvent[]) =>
    store.append(`outbound-${oid(n)}`, events.map(ev));

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runner = new ProjectionRunner({ store, db: testDb.db, projection: outboundMessagesProjection });
  });

  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  it('follows a message from creation to its send, attempt by attempt', async () => {
    await append(1, created(1));
    await runner.catchUp();
    expect(await findOutbound(testDb.db, oid(1))).toEqual({
      outboundId: oid(1),
      messageId: '1001',
      kind: 'conversation_message',
      userId: '7',
      channelId: '9',
      channel: 'email',
      to: 'ada@example.com',
      from: 'notifications@missive.test',
      fromName: 'Missive',
      replyTo: 'reply+5@missive.test',
      subject: 'Subject 1',
      body: 'Body 1',
      htmlBody: '<p>Body 1</p>',
      media: [],
      conversationId: '5',
      operationId: null,
      tags: {},
      scheduledFor: null,
      state: 'staged',
      providerMessageId: null,
      attempts: [],
      createdAt: t(1),
      updatedAt: t(1),
      sentAt: null,
    });

    await append(1, dispatch(1, 1, t(2)), failed(1, 1, t(3), t(8)));
    await runner.catchUp();
    expect(await findOutbound(testDb.db, oid(1))).toMatchObject({
      state: 'staged',
      updatedAt: t(3),
      attempts: [
        {
          attempt: 1,
          transport: 'smtp',
          status: 'failed',
          attemptedAt: t(2),
          error: { code: '421', message: 'try later' },
        },
      ],
    });

    await append(1, dispatch(1, 2, t(8)));
    await runner.catchUp();
    expect(await findOutbound(testDb.db, oid(1))).toMatchObject({ state: 'sending' });

    await append(1, sent(1, 2, t(9)), {
      type: 'OutboundMessageDelivered',
      data: { outboundId: oid(1), deliveredAt: t(10) },
    });
    await runner.catchUp();
    const done = await findOutbound(testDb.db, oid(1));
    expect(done).toMatchObject({
      state: 'delivered',
      providerMessageId: '<1@mx>',
      sentAt: t(9),
      updatedAt: t(10),
    });
    expect(done!.attempts.map((a) => [a.attempt, a.status, a.attemptedAt])).toEqual([
      [1, 'failed', t(2)],
      [2, 'sent', t(8)],
    ]);
    expect(await findOutboundByProviderId(testDb.db, '<1@mx>')).toEqual(done);
    expect(await findOutboundByProviderId(testDb.db, '<nope@mx>')).toBeUndefined();
    expect(await findOutbound(testDb.db, oid(99))).toBeUndefined();
  });

  it('reaches every end state, each from a single batch', async () => {
    const media = ['https://example.com/a.png'];
    await append(2, created(2, { suppressed: true }));
    await append(3, created(3), dispatch(3, 1, t(4)), bounced(3, t(5)));
    await append(4, created(4), dispatch(4, 1, t(5)), sent(4, 1, t(6)), bounced(4, t(7)));
    await append(5, created(5), dispatch(5, 1, t(6)), failed(5, 1, t(7), null));
    await append(6, created(6, { scheduledFor: '2026-01-02T00:00:00Z' }));
    await append(7, created(7, { scheduledFor: t(30) }), {
      type: 'OutboundMessageCancelled',
      data: { outboundId: oid(7), cancelledAt: t(8) },
    });
    await append(
      8,
      created(8, {
        kind: 'comms',
        userId: null,
        channelId: null,
        channel: 'phone',
        to: '+15550100',
        media,
        operationId: 'op_1',
        tags: { campaign: 'x' },
      }),
      dispatch(8, 1, t(9)),
      sent(8, 1, t(9), 'SM1'),
      {
        type: 'OutboundMessageUndelivered',
        data: { outboundId: oid(8), error: { code: '30003', message: 'unreachable' }, at: t(10) },
      },
    );
    await append(9, created(9, { scheduledFor: t(20) }), {
      type: 'OutboundMessageQueued',
      data: { outboundId: oid(9), queuedAt: t(20) },
    });
    await runner.catchUp();

    const state = async (n: number) => (await findOutbound(testDb.db, oid(n)))!;
    expect(await state(2)).toMatchObject({ state: 'bounced', attempts: [], sentAt: null });
    // Bounced during the attempt: the attempt records it; after the send, only the message.
    expect((await state(3)).attempts).toEqual([
      {
        attempt: 1,
        transport: 'smtp',
        status: 'bounced',
        attemptedAt: t(4),
        error: { code: 'bounced', message: '550 no such user' },
      },
    ]);
    expect(await state(4)).toMatchObject({ state: 'bounced', sentAt: t(6), updatedAt: t(7) });
    expect((await state(4)).attempts.map((a) => a.status)).toEqual(['sent']);
    expect(await state(5)).toMatchObject({ state: 'failed' });
    expect(await state(6)).toMatchObject({
      state: 'scheduled',
      scheduledFor: '2026-01-02T00:00:00.000Z',
    });
    expect(await state(7)).toMatchObject({ state: 'cancelled', updatedAt: t(8) });
    expect(await state(8)).toMatchObject({
      state: 'undelivered',
      userId: null,
      channel: 'phone',
      media,
      operationId: 'op_1',
      tags: { campaign: 'x' },
      providerMessageId: 'SM1',
    });
    expect(await state(9)).toMatchObject({ state: 'staged', updatedAt: t(20) });
  });

  it('lists a user’s messages newest first, ties by id, within inclusive bounds', async () => {
    // 1001..1006 for user 7 at minutes 1..5, with 1004 and 1005 created in the same instant.
    for (const n of [1, 2, 3, 6]) await append(n, created(n));
    await append(4, created(4, { createdAt: t(4) }));
    await append(5, created(5, { createdAt: t(4) }));
    await append(10, created(10, { userId: '8' }));
    await append(11, created(11, { userId: null, kind: 'comms', channel: 'phone' }));
    await runner.catchUp();

    const ids = (page: { items: { messageId: string }[] }) => page.items.map((m) => m.messageId);
    const all = await listCommMessages(testDb.db, { userId: '7', limit: 10 });
    expect(ids(all)).toEqual(['1006', '1005', '1004', '1003', '1002', '1001']);
    expect(all.total).toBe(6);

    const bounded = await listCommMessages(testDb.db, {
      userId: '7',
      startTime: t(2),
      endTime: new Date(t(4)),
      limit: 10,
    });
    expect(ids(bounded)).toEqual(['1005', '1004', '1003', '1002']);
    expect(bounded.total).toBe(4);

    const second = await listCommMessages(testDb.db, { userId: '7', limit: 2, offset: 2 });
    expect(ids(second)).toEqual(['1004', '1003']);
    expect(second.total).toBe(6);

    // Keyset paging walks the same order without counting skipped rows.
    const seen: string[] = [];
    let after: { createdAt: string; messageId: string } | undefined;
    for (;;) {
      const page = await listCommMessages(testDb.db, { userId: '7', limit: 4, after });
      seen.push(...ids(page));
      const last = page.items[page.items.length - 1];
      if (!last || page.items.length < 4) break;
      after = { createdAt: last.createdAt, messageId: last.messageId };
    }
    expect(seen).toEqual(ids(all));

    expect((await listCommMessages(testDb.db, { userId: '99', limit: 10 })).total).toBe(0);
  });

  it('stores times in one spelling, so bounds compare as text', async () => {
    await append(1, created(1, { createdAt: '2026-01-01T12:01:00Z' }));
    await append(2, created(2, { createdAt: '2026-01-01T13:01:00+01:00' }));
    await runner.catchUp();
    const page = await listCommMessages(testDb.db, {
      userId: '7',
      startTime: t(1),
      endTime: t(1),
      limit: 10,
    });
    expect(page.items.map((m) => m.createdAt)).toEqual([t(1), t(1)]);
  });

  it('parks a message that reuses another’s numeric id and applies the rest of the batch', async () => {
    await append(1, created(1));
    await append(2, created(2, { messageId: '1001' }));
    await append(3, created(3), dispatch(3, 1, t(4)));
    await runner.catchUp();
    expect(await findOutbound(testDb.db, oid(2))).toBeUndefined();
    // Later events of the parked message find no row and change nothing.
    await append(2, dispatch(2, 1, t(5)));
    await runner.catchUp();
    expect(await findOutbound(testDb.db, oid(2))).toBeUndefined();
    expect(await findOutbound(testDb.db, oid(3))).toMatchObject({ state: 'sending' });
    expect((await runner.status()).parked).toBe(1);
  });

  it('rebuilt in one batch equals the model built live, batch by batch', async () => {
    const history: [number, OutboundEvent][] = [
      [1, created(1)],
      [2, created(2)],
      [1, dispatch(1, 1, t(2))],
      [3, created(3, { suppressed: true })],
      [1, failed(1, 1, t(3), t(5))],
      [2, dispatch(2, 1, t(3))],
      [2, sent(2, 1, t(4))],
      [1, dispatch(1, 2, t(5))],
      [2, bounced(2, t(6))],
      [1, sent(1, 2, t(6))],
      [4, created(4, { scheduledFor: t(40) })],
      [4, { type: 'OutboundMessageCancelled', data: { outboundId: oid(4), cancelledAt: t(7) } }],
      [1, { type: 'OutboundMessageDelivered', data: { outboundId: oid(1), deliveredAt: t(8) } }],
    ];
    for (const [n, event] of history) {
      await append(n, event);
      await runner.catchUp();
    }
    const fresh = await openTestDatabase(dialect);
    const rebuild = new ProjectionRunner({
      store,
      db: fresh.db,
      projection: outboundMessagesProjection,
    });
    try {
      await rebuild.catchUp();
      const live = await snapshot(testDb.db);
      expect(live).toHaveLength(4);
      expect(await snapshot(fresh.db)).toEqual(live);
    } finally {
      await rebuild.stop();
      await fresh.cleanup();
    }
  });
});
