import { IdGenerator } from '@missive/domain';
import { EventStoreDbEventStore, systemContext } from '@missive/event-store';
import { FakeEsdbClient } from '../../../../packages/event-store/src/testing/fakeEsdbClient';
import type { ReadYourWrites } from '../infrastructure/readYourWrites';
import { SendMessagesCommand, SendMessagesHandler } from './sendMessagesHandler';
import type { SendPlan } from './sendPlan';

const plan = (scheduledFor: string | null): SendPlan => ({
  recipients: 3,
  unaddressable: 1,
  scheduledFor,
  tags: { campaign: 'spring' },
  messages: [
    { channel: 'phone', to: '+14155550100', from: '+15005550006', text: 'Hi', media: [] },
    { channel: 'whatsapp', to: '+14155550101', from: '+15005550006', text: 'Hi', media: [] },
  ],
});

describe('SendMessagesHandler on EventStoreDB', () => {
  let fake: FakeEsdbClient;
  let handler: SendMessagesHandler;

  beforeEach(() => {
    fake = new FakeEsdbClient();
    const store = new EventStoreDbEventStore({ client: fake.asClient() });
    const readYourWrites = { waitFor: async () => undefined } as unknown as ReadYourWrites;
    handler = new SendMessagesHandler(store, new IdGenerator(1), readYourWrites);
  });

  const streamsOf = (prefix: string) =>
    [...new Set(fake.log.map((e) => e.streamId))].filter((s) => s.startsWith(prefix));

  it('writes the operation, a stream per message and the end of processing', async () => {
    const createdAt = new Date('2026-11-23T10:00:00.000Z');
    const operationId = await handler.execute(
      new SendMessagesCommand(plan(null), createdAt, systemContext('test')),
    );
    expect(
      fake.log.filter((e) => e.streamId === `operation-${operationId}`).map((e) => e.type),
    ).toEqual(['MessageOperationCreated', 'MessageOperationProcessed']);
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
      new SendMessagesCommand(plan(null), createdAt, systemContext('test')),
    );
    for (const stream of [`operation-${operationId}`, ...streamsOf('outbound-')]) {
      expect(fake.streamMetadata(stream)).toEqual({ $maxAge: 7 * 86_400 });
    }

    const later = new Date(createdAt.getTime() + 2 * 86_400_000).toISOString();
    const scheduled = await handler.execute(
      new SendMessagesCommand(plan(later), createdAt, systemContext('test')),
    );
    expect(fake.streamMetadata(`operation-${scheduled}`)).toEqual({ $maxAge: 9 * 86_400 });
  });
});
