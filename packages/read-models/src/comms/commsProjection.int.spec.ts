import { encodeUlid, type OutboundEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { randomBytes } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { outboundMessagesProjection } from '../outboundMessages/outboundMessagesProjection';
import { commsProjection } from './commsProjection';
import { CommsQueries } from './commsQueries';
import { purgeExpiredComms } from './commsRetention';
import {
  asEventData,
  commsMessageCreated,
  deliveryEvents,
  operationCreated,
} from './testing/commsEvents';

const ulidAt = (ms: number) => encodeUlid(ms, randomBytes(10));

describe.each(['sqlite', 'postgres'] as const)('comms read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runner: ProjectionRunner;
  let queries: CommsQueries;
  const now = new Date();
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();

  const append = (stream: string, events: ReadonlyArray<{ type: string; data: unknown }>) =>
    store.append(stream, asEventData(events));

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runner = new ProjectionRunner({ store, db: testDb.db, projection: commsProjection });
    queries = new CommsQueries(testDb.db);
  });

  afterEach(async () => {
    await runner.stop();
    await testDb.cleanup();
    await store.close();
  });

  /** An operation with one message per outcome, created a minute ago. */
  async function operationWith(
    outcomes: Array<Parameters<typeof deliveryEvents>[1]>,
    options: { scheduledFor?: string; unaddressable?: number } = {},
  ) {
    const createdMs = now.getTime() - 60_000;
    const operationId = ulidAt(createdMs);
    const createdAt = new Date(createdMs).toISOString();
    const unaddressable = options.unaddressable ?? 0;
    await append(`operation-${operationId}`, [
      operationCreated(operationId, {
        recipients: outcomes.length + unaddressable,
        messages: outcomes.length,
        unaddressable,
        scheduledFor: options.scheduledFor ?? null,
        createdAt,
      }),
    ]);
    const ids: string[] = [];
    for (let i = 0; i < outcomes.length; i++) {
      const outboundId = ulidAt(createdMs);
      ids.push(outboundId);
      await append(`outbound-${outboundId}`, [
        commsMessageCreated({
          outboundId,
          operationId,
          to: `+1415555010${i}`,
          channel: i % 2 ? 'whatsapp' : 'phone',
          tags: { campaign: 'spring', n: String(i) },
          scheduledFor: options.scheduledFor ?? null,
          createdAt,
        }),
      ]);
    }
    await append(`operation-${operationId}`, [
      {
        type: 'MessageOperationProcessed',
        data: { operationId, messages: outcomes.length, processedAt: createdAt },
      },
    ]);
    for (const [i, outcome] of outcomes.entries()) {
      const events = deliveryEvents(ids[i]!, outcome, at(-30_000));
      if (events.length > 0) await append(`outbound-${ids[i]}`, events);
    }
    return { operationId, ids, createdAt };
  }

  it('projects messages with their statuses and attempts, and operation stats', async () => {
    const { operationId, ids, createdAt } = await operationWith(
      ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed'],
      { unaddressable: 1 },
    );
    // A Canvas notification on the same category is not a Comms message.
    await append('outbound-01canvas', [
      commsMessageCreated({
        outboundId: '01canvas',
        kind: 'conversation_message',
        channel: 'email',
      }),
    ]);
    await runner.catchUp();

    const statuses = await Promise.all(ids.map((id) => queries.findMessage(id, now)));
    expect(statuses.map((m) => m!.status)).toEqual([
      'QUEUED',
      'QUEUED',
      'SENT',
      'DELIVERED',
      'UNDELIVERED',
      'FAILED',
    ]);
    expect(await queries.findMessage('01canvas', now)).toBeUndefined();
    const delivered = statuses[3]!;
    expect(delivered).toEqual({
      id: ids[3],
      operationId,
      status: 'DELIVERED',
      to: { address: '+14155550103', channel: 'WHATSAPP' },
      from: { address: '+15005550006', channel: 'WHATSAPP' },
      text: 'Hello',
      media: [],
      tags: { campaign: 'spring', n: '3' },
      attempts: [{ attempt: 1, status: 'DELIVERED', attemptedAt: at(-30_000), error: null }],
      providerMessageId: `SM${ids[3]}`,
      scheduledFor: null,
      createdAt,
      updatedAt: at(-30_000),
    });
    expect(statuses[5]!.attempts).toEqual([
      {
        attempt: 1,
        status: 'FAILED',
        attemptedAt: at(-30_000),
        error: { code: '21211', message: 'Invalid To number' },
      },
    ]);
    expect(await queries.findOperation(operationId, now)).toEqual({
      id: operationId,
      status: 'COMPLETED',
      stats: {
        total: 7,
        recipients: 7,
        attempts: 5,
        unaddressable: 1,
        queued: 2,
        sent: 1,
        scheduled: 0,
        delivered: 1,
        read: 0,
        undelivered: 1,
        failed: 1,
        canceled: 0,
      },
      createdAt,
      updatedAt: at(-30_000),
    });
    expect(await queries.findMessageIdByProviderId(`SM${ids[2]}`, now)).toBe(ids[2]);
    expect(await queries.findMessageIdByProviderId('SMnope', now)).toBeUndefined();
  });

  it('counts the same when every event is its own batch', async () => {
    const { operationId } = await operationWith(['delivered', 'failed', 'sent', 'canceled']);
    const oneByOne = new ProjectionRunner({
      store,
      db: testDb.db,
      projection: commsProjection,
      batchSize: 1,
    });
    await oneByOne.catchUp();
    expect((await queries.findOperation(operationId, now))!.stats).toMatchObject({
      total: 4,
      attempts: 3,
      queued: 0,
      delivered: 1,
      failed: 1,
      sent: 1,
      canceled: 1,
    });
  });

  it('keeps a scheduled operation SCHEDULED until its messages are queued', async () => {
    const sendAt = at(3_600_000);
    const { operationId, ids } = await operationWith(['queued', 'queued'], {
      scheduledFor: sendAt,
    });
    await runner.catchUp();
    expect(await queries.findOperation(operationId, now)).toMatchObject({
      status: 'SCHEDULED',
      stats: { scheduled: 2, queued: 0 },
    });
    expect((await queries.findMessage(ids[0]!, now))!.scheduledFor).toBe(sendAt);

    for (const id of ids) {
      const queued: OutboundEvent = {
        type: 'OutboundMessageQueued',
        data: { outboundId: id, queuedAt: sendAt },
      };
      await append(`outbound-${id}`, [queued]);
    }
    await runner.catchUp();
    expect(await queries.findOperation(operationId, now)).toMatchObject({
      status: 'COMPLETED',
      stats: { scheduled: 0, queued: 2 },
    });
  });

  it('hides records past retention and purges them', async () => {
    const { operationId, ids } = await operationWith(['delivered']);
    const scheduled = await operationWith(['queued'], { scheduledFor: at(2 * 86_400_000) });
    await runner.catchUp();
    const eightDaysOn = new Date(now.getTime() + 8 * 86_400_000);

    expect(await queries.findMessage(ids[0]!, eightDaysOn)).toBeUndefined();
    expect(await queries.findOperation(operationId, eightDaysOn)).toBeUndefined();
    expect((await queries.listMessages({}, { after: null, limit: 10 }, eightDaysOn)).items).toEqual(
      [expect.objectContaining({ id: scheduled.ids[0] })],
    );
    // The purge ends the message's CommMessages row too: the table is there wherever it runs.
    await outboundMessagesProjection.migrate(testDb.db);
    const erased: string[] = [];
    const keys = { eraseAll: async (subjects: readonly string[]) => erased.push(...subjects) };
    expect(await purgeExpiredComms(testDb.db, keys, now)).toMatchObject({
      messages: 0,
      operations: 0,
    });
    expect(erased).toEqual([]);
    expect(await purgeExpiredComms(testDb.db, keys, eightDaysOn)).toEqual({
      messages: 1,
      operations: 1,
      walTruncated: true,
    });
    expect(erased).toEqual([`outbound:${ids[0]}`, `operation:${operationId}`]);
    expect(await queries.findMessage(ids[0]!, now)).toBeUndefined();
    const left = await testDb.db.selectFrom('comms_message_tags').select('message_id').execute();
    expect(new Set(left.map((r) => r.message_id))).toEqual(new Set(scheduled.ids));
    const counts = await testDb.db
      .selectFrom('comms_tag_counts')
      .select(['key', 'value', 'messages'])
      .where('messages', '>', 0)
      .orderBy('key')
      .execute();
    expect(counts.map((c) => [c.key, c.value, Number(c.messages)])).toEqual([
      ['campaign', 'spring', 1],
      ['n', '0', 1],
    ]);

    // Events for a purged message change nothing and break nothing.
    await append(`outbound-${ids[0]}`, [
      {
        type: 'OutboundMessageUndelivered',
        data: { outboundId: ids[0], error: { code: '1', message: 'x' }, at: at(0) },
      },
    ]);
    await runner.catchUp();
    expect(await queries.findMessage(ids[0]!, now)).toBeUndefined();
  });

  it('lists an operation as unprocessed through its runner’s claims, until it is processed', async () => {
    const operationId = ulidAt(now.getTime());
    await append(`operation-${operationId}`, [
      operationCreated(operationId, {
        recipients: 1,
        messages: 1,
        unaddressable: 0,
        scheduledFor: null,
        createdAt: at(0),
      }),
      {
        type: 'MessageOperationClaimed',
        data: { operationId, runner: 'a', attempt: 1, leaseUntil: at(60_000), at: at(0) },
      },
    ]);
    await runner.catchUp();
    expect((await queries.findOperation(operationId, now))?.status).toBe('PROCESSING');
    expect(await queries.unprocessedOperationIds(10)).toEqual([operationId]);
    await append(`operation-${operationId}`, [
      {
        type: 'MessageOperationProcessed',
        data: { operationId, messages: 1, processedAt: at(1) },
      },
    ]);
    await runner.catchUp();
    expect(await queries.unprocessedOperationIds(10)).toEqual([]);
  });
});
