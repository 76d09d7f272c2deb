import { IdGenerator } from '@missive/domain';
import type { CommsQueries } from '@missive/read-models';
import { EventStoreDbEventStore } from '@missive/event-store';
import { systemContext } from '@missive/command-handling';
import { FakeEsdbClient } from '../../../../packages/event-store/src/testing/fakeEsdbClient';
import type { AppConfig } from '../config/appConfig';
import type { ReadYourWrites } from '../infrastructure/readYourWrites';
import { JobRunner } from '../jobs/jobRunner';
import { SendMessagesCommand, SendMessagesHandler, fanOutOf } from './sendMessagesHandler';
import { SendMessagesJob } from './sendMessagesJob';
import type { SendPlan } from './sendPlan';

const plan = (scheduledFor: string | null): SendPlan => ({
  recipients: 3,
  unaddressable: 1,
  scheduledFor,
  tags: { campaign: 'spring' },
  text: 'Hi',
  media: [],
  messages: [
    { channel: 'phone', to: '+14155550100', from: '+15005550006', text: 'Hi', media: [] },
    { channel: 'whatsapp', to: '+14155550101', from: '+15005550006', text: 'Hi', media: [] },
  ],
});

describe('SendMessagesHandler over the EventStoreDB adapter on its in-memory stand-in (no server)', () => {
  let fake: FakeEsdbClient;
  let handler: SendMessagesHandler;
  let handlerKeeping: (retentionSeconds: number) => SendMessagesHandler;

  beforeEach(() => {
    fake = new FakeEsdbClient();
    const store = new EventStoreDbEventStore({ client: fake.asClient() });
    const readYourWrites = { waitFor: async () => undefined } as unknown as ReadYourWrites;
    const lease = { runner: 'test', leaseMs: 60_000, now: () => new Date() };
    const job = new SendMessagesJob({
      store,
      ids: new IdGenerator(1),
      comms: {} as CommsQueries,
      lease,
    });
    const jobs = new JobRunner({
      sweepIntervalMs: 60_000,
      retryDelayMs: 60_000,
      onError: (_job, _id, error) => {
        throw error;
      },
    });
    handlerKeeping = (seconds) =>
      new SendMessagesHandler(store, readYourWrites, jobs, job, lease, {
        commsRetentionMs: seconds * 1000,
      } as AppConfig);
    handler = handlerKeeping(7 * 86_400);
  });

  const streamsOf = (prefix: string) =>
    [...new Set(fake.log.map((e) => e.streamId))].filter((s) => s.startsWith(prefix));

  it('writes the operation, a stream per message and the end of processing', async () => {
    const createdAt = new Date('2026-11-23T10:00:00.000Z');
    const operationId = await handler.execute(
      new SendMessagesCommand(plan(null), createdAt, undefined, systemContext('test')),
    );
    expect(
      fake.log.filter((e) => e.streamId === `operation-${operationId}`).map((e) => e.type),
    ).toEqual(['MessageOperationCreated', 'MessageOperationClaimed', 'MessageOperationProcessed']);
    const outbound = streamsOf('outbound-');
    expect(outbound).toHaveLength(2);
    const created = fake.log.filter((e) => e.type === 'OutboundMessageCreated').map((e) => e.data);
    expect(created).toEqual([
      expect.objectContaining({
        kind: 'comms',
        channel: 'phone',
        operationId,
        createdAt: createdAt.toISOString(),
      }),
      expect.objectContaining({
        kind: 'comms',
        channel: 'whatsapp',
        operationId,
        tags: { campaign: 'spring' },
      }),
    ]);
    expect(fake.log.find((e) => e.type === 'MessageOperationCreated')!.data).toMatchObject({
      recipients: 3,
      messages: 2,
      unaddressable: 1,
    });
  });

  it('gives every stream it writes a $maxAge of the retention, plus the wait when scheduled', async () => {
    const createdAt = new Date();
    const operationId = await handler.execute(
      new SendMessagesCommand(plan(null), createdAt, undefined, systemContext('test')),
    );
    expect(streamsOf('outbound-').length).toBeGreaterThan(0);
    for (const stream of [`operation-${operationId}`, ...streamsOf('outbound-')]) {
      expect(fake.streamMetadata(stream)).toEqual({ $maxAge: 7 * 86_400 });
    }

    const later = new Date(createdAt.getTime() + 2 * 86_400_000).toISOString();
    const scheduled = await handler.execute(
      new SendMessagesCommand(plan(later), createdAt, undefined, systemContext('test')),
    );
    expect(fake.streamMetadata(`operation-${scheduled}`)).toEqual({ $maxAge: 9 * 86_400 });
  });

  it('records the end of retention (COMMS_RETENTION_SECONDS) on the operation and its messages', async () => {
    const createdAt = new Date('2026-11-23T10:00:00.000Z');
    const operationId = await handlerKeeping(3600).execute(
      new SendMessagesCommand(plan(null), createdAt, undefined, systemContext('test')),
    );
    const expiresAt = '2026-11-23T11:00:00.000Z';
    const created = fake.log.filter((e) =>
      ['MessageOperationCreated', 'OutboundMessageCreated'].includes(e.type),
    );
    expect(created).toHaveLength(3);
    for (const event of created) expect(event.data).toMatchObject({ operationId, expiresAt });
    for (const stream of [`operation-${operationId}`, ...streamsOf('outbound-')]) {
      expect(fake.streamMetadata(stream)).toEqual({ $maxAge: 3600 });
    }
  });
});

describe('fanOutOf', () => {
  it('names each channel’s sender once and a message’s own only where it differs', () => {
    const fanOut = fanOutOf({
      ...plan(null),
      messages: [
        ...plan(null).messages,
        { channel: 'phone', to: '+14155550102', from: '+15005550009', text: 'Hi', media: [] },
      ],
    });
    expect(fanOut).toEqual({
      text: 'Hi',
      media: [],
      from: { phone: '+15005550006', whatsapp: '+15005550006' },
      messages: [
        { channel: 'phone', to: '+14155550100' },
        { channel: 'whatsapp', to: '+14155550101' },
        { channel: 'phone', to: '+14155550102', from: '+15005550009' },
      ],
    });
  });

  it('keeps a 10,000-recipient send with variables in one append under 1 MiB', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      channel: 'phone' as const,
      to: `+1415${String(i).padStart(7, '0')}`,
      from: '+15005550006',
      text: `Hi Alexandra ${i}`,
      media: [],
      variables: { firstName: 'Alexandra', code: String(i) },
    }));
    const fanOut = fanOutOf({ ...plan(null), recipients: 10_000, unaddressable: 0, messages });
    expect(Buffer.byteLength(JSON.stringify(fanOut))).toBeLessThan(1024 * 1024);
  });
});
