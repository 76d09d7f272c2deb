import {
  cancelOutboundMessage,
  evolveOutboundMessage,
  MAX_DELIVERY_ATTEMPTS,
} from '@missive/domain';
import { SqliteEventStore, type EventStore } from '@missive/event-store';
import { execute, systemContext } from '@missive/command-handling';
import { ProjectionRunner } from '@missive/projections';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  openTestDatabase,
  type TestDatabase,
} from '../../../../packages/projections/src/testing/testDatabase';
import { ScriptedTransport, SENT } from '../testing/scriptedTransport';
import { eventData, eventually, outboundCreated, streamEvents } from '../testing/notifierEvents';
import { TransportRegistry } from '../transports/transportRegistry';
import type { SendResult } from '../transports/transport';
import { deliveryQueueProjection } from './deliveryQueueProjection';
import type { DeliveryQueueDatabase } from './deliveryQueueTables';
import { startTestSmtpServer } from '../testing/testSmtpServer';
import { SmtpTransport } from '../transports/smtpTransport';
import { Dispatcher } from './dispatcher';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const BASE = 60_000;
const LEASE = 300_000;

describe.each(['sqlite', 'postgres'] as const)('dispatcher on %s', (dialect) => {
  let dir: string;
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let clock: number;
  const stops: (() => Promise<void>)[] = [];

  const registry = (transport: ScriptedTransport) =>
    new TransportRegistry().register('email', transport);

  const dispatcherFor = (
    transport: ScriptedTransport | TransportRegistry,
    options: {
      store?: EventStore;
      db?: Kysely<unknown>;
      pollIntervalMs?: number;
      dispatcherId?: string;
    } = {},
  ) => {
    const dispatcher = new Dispatcher({
      dispatcherId: options.dispatcherId,
      store: options.store ?? store,
      db: options.db ?? testDb.db,
      transports: transport instanceof TransportRegistry ? transport : registry(transport),
      retryBaseMs: BASE,
      leaseMs: LEASE,
      pollIntervalMs: options.pollIntervalMs ?? 60_000,
      now: () => new Date(clock),
    });
    stops.push(() => dispatcher.stop());
    return dispatcher;
  };

  const queueFor = (
    options: { store?: EventStore; db?: Kysely<unknown>; onCommitted?: () => void } = {},
  ) => {
    const runner = new ProjectionRunner({
      store: options.store ?? store,
      db: options.db ?? testDb.db,
      projection: deliveryQueueProjection,
      onCommitted: options.onCommitted,
    });
    stops.push(() => runner.stop());
    return runner;
  };

  /** The queue catches up with the log, the dispatcher makes one pass. */
  const pass = async (queue: ProjectionRunner, dispatcher: Dispatcher) => {
    await queue.catchUp();
    const result = await dispatcher.runOnce();
    await queue.catchUp();
    return result;
  };

  const create = (id: string, overrides: Parameters<typeof outboundCreated>[0] | object = {}) =>
    store.append(`outbound-${id}`, [
      eventData(
        outboundCreated({ outboundId: id, createdAt: new Date(clock).toISOString(), ...overrides }),
      ),
    ]);
  const history = async (id: string) =>
    (await streamEvents(store, `outbound-${id}`)).map((e) => e.type);
  const queueRows = () =>
    (testDb.db as Kysely<DeliveryQueueDatabase>)
      .selectFrom('delivery_queue')
      .selectAll()
      .orderBy('outbound_id')
      .execute();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dispatcher-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
    testDb = await openTestDatabase(dialect);
    clock = T0;
  });

  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await testDb.cleanup();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a due message once and records the receipt', async () => {
    const transport = new ScriptedTransport();
    const queue = queueFor();
    const dispatcher = dispatcherFor(transport);
    await create('m1');

    expect(await pass(queue, dispatcher)).toEqual({ examined: 1, dispatched: 1 });
    expect(await pass(queue, dispatcher)).toEqual({ examined: 0, dispatched: 0 });

    expect(transport.calls.map((m) => [m.outboundId, m.to, m.subject])).toEqual([
      ['m1', 'ben@example.com', 'Hello'],
    ]);
    const events = await streamEvents(store, 'outbound-m1');
    expect(events.map((e) => e.type)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundMessageSent',
      'OutboundMessageDelivered',
    ]);
    expect(events[1]!.data).toMatchObject({ attempt: 1, transport: 'test' });
    expect(events[2]!.data).toMatchObject({ providerMessageId: 'provider-1' });
    // Everything the dispatcher writes continues the message's correlation.
    expect(events[3]!.metadata).toMatchObject({
      correlationId: events[0]!.metadata['correlationId'],
      actorUserId: null,
    });
    expect(await queueRows()).toEqual([]);
  });

  it('retries a transient failure with exponential backoff, then fails for good', async () => {
    const transport = new ScriptedTransport(() => ({
      outcome: 'failed',
      transient: true,
      error: { code: 'smtp_451', message: 'try later' },
    }));
    const queue = queueFor();
    const dispatcher = dispatcherFor(transport);
    await create('m1');

    const retries: (string | null)[] = [];
    await pass(queue, dispatcher);
    for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
      const delay = BASE * 2 ** (attempt - 1);
      const failedAt = clock;
      retries.push(new Date(failedAt + delay).toISOString());
      clock = failedAt + delay - 1;
      await pass(queue, dispatcher);
      expect(transport.calls).toHaveLength(attempt);
      clock = failedAt + delay;
      await pass(queue, dispatcher);
      expect(transport.calls).toHaveLength(attempt + 1);
    }
    retries.push(null);
    clock += 365 * 24 * 3600 * 1000;
    await pass(queue, dispatcher);

    expect(transport.calls).toHaveLength(MAX_DELIVERY_ATTEMPTS);
    const failures = (await streamEvents(store, 'outbound-m1')).filter(
      (e) => e.type === 'OutboundAttemptFailed',
    );
    expect(failures.map((e) => (e.data as { retryAt: string | null }).retryAt)).toEqual(retries);
    expect(await queueRows()).toEqual([]);
  });

  it('ends a permanent failure at once, and records a bounce as a bounce', async () => {
    const transport = new ScriptedTransport((m): SendResult =>
      m.to.startsWith('gone')
        ? { outcome: 'bounced', reason: '550 no such user' }
        : { outcome: 'failed', transient: false, error: { code: 'smtp_554', message: 'refused' } },
    );
    const queue = queueFor();
    const dispatcher = dispatcherFor(transport);
    await create('m1');
    await create('m2', { to: 'gone@example.com' });
    await pass(queue, dispatcher);
    clock += 365 * 24 * 3600 * 1000;
    await pass(queue, dispatcher);

    expect(transport.calls).toHaveLength(2);
    const failed = await streamEvents(store, 'outbound-m1');
    expect(failed.map((e) => e.type)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundAttemptFailed',
    ]);
    expect(failed[2]!.data).toMatchObject({ retryAt: null, error: { code: 'smtp_554' } });
    const bounced = await streamEvents(store, 'outbound-m2');
    expect(bounced.map((e) => e.type)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundMessageBounced',
    ]);
    expect(bounced[2]!.data).toMatchObject({ reason: '550 no such user' });
  });

  it('takes back an attempt left in flight once its lease has run out, and sends it again', async () => {
    const transport = new ScriptedTransport();
    const queue = queueFor();
    const dispatcher = dispatcherFor(transport);
    await create('m1');
    // A dispatcher claimed the attempt and died before recording anything.
    await store.append('outbound-m1', [
      eventData({
        type: 'OutboundDispatchStarted',
        data: {
          outboundId: 'm1',
          attempt: 1,
          transport: 'test',
          startedAt: new Date(T0).toISOString(),
        },
      }),
    ]);

    clock = T0 + LEASE - 1;
    await pass(queue, dispatcher);
    expect(transport.calls).toHaveLength(0);
    expect(await history('m1')).toEqual(['OutboundMessageCreated', 'OutboundDispatchStarted']);

    clock = T0 + LEASE;
    await pass(queue, dispatcher);
    expect(transport.calls).toHaveLength(1);
    const events = await streamEvents(store, 'outbound-m1');
    expect(events.map((e) => e.type)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundAttemptFailed',
      'OutboundDispatchStarted',
      'OutboundMessageSent',
      'OutboundMessageDelivered',
    ]);
    expect(events[2]!.data).toMatchObject({
      attempt: 1,
      error: { code: 'interrupted' },
      retryAt: new Date(clock).toISOString(),
    });
    expect(events[3]!.data).toMatchObject({ attempt: 2 });
  });

  it('takes back its own attempts at once when restarted, with the same Message-ID over SMTP', async () => {
    const smtp = await startTestSmtpServer();
    const transport = new SmtpTransport(smtp.url);
    stops.push(async () => {
      await transport.close();
      await smtp.close();
    });
    const queue = queueFor();
    await create('m1');
    // node-7 claimed the attempt, handed the message to the relay and was killed before it
    // could record the answer.
    await store.append('outbound-m1', [
      eventData({
        type: 'OutboundDispatchStarted',
        data: {
          outboundId: 'm1',
          attempt: 1,
          transport: 'smtp',
          startedAt: new Date(T0 - 1000).toISOString(),
          dispatcher: 'node-7',
        },
      }),
    ]);
    const message = (await streamEvents(store, 'outbound-m1'))[0]!.data as { to: string };
    await transport.send({
      outboundId: 'm1',
      messageId: '1',
      channel: 'email',
      to: message.to,
      from: 'notifications@example.com',
      fromName: null,
      replyTo: null,
      subject: 's',
      body: 'b',
      htmlBody: null,
      media: [],
    });

    // Another live dispatcher leaves it alone: the attempt may still be under way there.
    const other = dispatcherFor(new TransportRegistry().register('email', transport), {
      dispatcherId: 'node-8',
    });
    await pass(queue, other);
    expect(await history('m1')).toEqual(['OutboundMessageCreated', 'OutboundDispatchStarted']);

    // node-7 again, long before the lease runs out: it takes back what it had in flight.
    const restarted = dispatcherFor(new TransportRegistry().register('email', transport), {
      dispatcherId: 'node-7',
    });
    await pass(queue, restarted);
    const events = await streamEvents(store, 'outbound-m1');
    expect(events.map((e) => e.type)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundAttemptFailed',
      'OutboundDispatchStarted',
      'OutboundMessageSent',
    ]);
    expect(events[2]!.data).toMatchObject({ attempt: 1, error: { code: 'interrupted' } });
    expect(events[3]!.data).toMatchObject({ attempt: 2, dispatcher: 'node-7' });
    // The relay got it twice, under one Message-ID for the receiver to drop the second.
    const received = smtp.receptions.filter((r) => r.to.includes(message.to));
    expect(received.map((r) => r.messageId)).toEqual(['<m1@missive>', '<m1@missive>']);
  });

  it('keeps a scheduled message across a restart and sends it when due', async () => {
    const scheduledFor = new Date(T0 + 3600_000).toISOString();
    const first = { queue: queueFor(), dispatcher: dispatcherFor(new ScriptedTransport()) };
    await create('m1', { scheduledFor });
    await pass(first.queue, first.dispatcher);
    expect(await queueRows()).toEqual([
      { outbound_id: 'm1', state: 'scheduled', due_at: scheduledFor, revision: 0 },
    ]);
    await first.dispatcher.stop();
    await first.queue.stop();

    // A new process: its own store handle and database connection, same files.
    const store2 = new SqliteEventStore({ path: join(dir, 'events.db') });
    stops.push(() => store2.close());
    const db2 = testDb.open();
    const transport = new ScriptedTransport();
    const second = {
      queue: queueFor({ store: store2, db: db2 }),
      dispatcher: dispatcherFor(transport, { store: store2, db: db2 }),
    };
    clock = T0 + 3600_000 - 1;
    await pass(second.queue, second.dispatcher);
    expect(transport.calls).toHaveLength(0);

    clock = T0 + 3600_000;
    await pass(second.queue, second.dispatcher);
    expect(transport.calls.map((m) => m.outboundId)).toEqual(['m1']);
    expect(await history('m1')).toEqual([
      'OutboundMessageCreated',
      'OutboundMessageQueued',
      'OutboundDispatchStarted',
      'OutboundMessageSent',
      'OutboundMessageDelivered',
    ]);
  });

  it('never lets two dispatchers send the same attempt', async () => {
    // Two notifier processes: separate store handles and database connections.
    const storeB = new SqliteEventStore({ path: join(dir, 'events.db') });
    stops.push(() => storeB.close());
    const dbB = testDb.open();
    const slow = () => new Promise<SendResult>((resolve) => setImmediate(() => resolve(SENT)));
    const a = new ScriptedTransport(slow);
    const b = new ScriptedTransport(slow);
    const queue = queueFor();
    const dispatcherA = dispatcherFor(a);
    const dispatcherB = dispatcherFor(b, { store: storeB, db: dbB });
    const ids = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    for (const id of ids) await create(id);
    await queue.catchUp();

    for (let round = 0; round < 3; round++) {
      await Promise.all([dispatcherA.runOnce(), dispatcherB.runOnce()]);
      await queue.catchUp();
    }

    // Both read the same due rows. Whether a given claim lost to a store conflict or found the
    // message already claimed depends on timing; either way each message went out once.
    const sentIds = [...a.calls, ...b.calls].map((m) => m.outboundId).sort();
    expect(sentIds).toEqual(ids);
    for (const id of ids) {
      expect((await history(id)).filter((t) => t === 'OutboundDispatchStarted')).toHaveLength(1);
    }
  });

  it('records nothing over a cancel that arrived during the attempt', async () => {
    const transport = new ScriptedTransport(async (m) => {
      await execute(
        store,
        `outbound-${m.outboundId}`,
        evolveOutboundMessage,
        (s) => cancelOutboundMessage(s, { cancelledAt: new Date(clock).toISOString() }),
        systemContext('test'),
      );
      return SENT;
    });
    const queue = queueFor();
    await create('m1');
    await pass(queue, dispatcherFor(transport));

    expect(await history('m1')).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundMessageCancelled',
    ]);
  });

  it('fails a message of a channel without a transport, to be retried', async () => {
    const queue = queueFor();
    await create('m1', { channel: 'whatsapp', to: '+15550100', channelId: null });
    await pass(queue, dispatcherFor(new ScriptedTransport()));

    const events = await streamEvents(store, 'outbound-m1');
    expect(events[1]!.data).toMatchObject({ transport: 'none' });
    expect(events[2]!.data).toMatchObject({
      error: { code: 'no_transport' },
      retryAt: new Date(clock + BASE).toISOString(),
    });
  });

  it('is woken by the queue committing new rows, long before its next poll', async () => {
    const transport = new ScriptedTransport();
    const dispatcher = dispatcherFor(transport, { pollIntervalMs: 3_600_000 });
    const queue = queueFor({ onCommitted: () => dispatcher.wake() });
    dispatcher.start();
    await queue.start();
    // Let the first (empty) pass finish and the loop go to sleep for an hour.
    await dispatcher.runOnce();
    await create('m1');
    queue.wake();

    await eventually(async () => transport.calls.length === 1, 'the woken dispatcher to send');
  });

  it('reports failing after passes fail in a row, and running again once one succeeds', async () => {
    const dispatcher = dispatcherFor(new ScriptedTransport(), { pollIntervalMs: 1 });
    expect(dispatcher.status()).toMatchObject({ state: 'stopped', healthy: false });
    // No delivery_queue table yet: every pass fails, as with a database it cannot reach.
    dispatcher.start();
    await eventually(async () => dispatcher.status().state === 'failing', 'failing');
    expect(dispatcher.status()).toMatchObject({
      healthy: false,
      consecutiveFailures: expect.any(Number),
      lastError: expect.stringMatching(/delivery_queue/),
    });
    expect(dispatcher.status().consecutiveFailures).toBeGreaterThanOrEqual(3);

    await queueFor().catchUp(); // creates the table
    dispatcher.wake();
    await eventually(async () => dispatcher.status().state === 'running', 'running again');
    expect(dispatcher.status()).toMatchObject({
      healthy: true,
      consecutiveFailures: 0,
      lastError: null,
      lastPassAt: expect.stringMatching(/^\d{4}-/),
    });
    await dispatcher.stop();
    expect(dispatcher.status().state).toBe('stopped');
  });
});
