import { ConfirmationCodes, type OutboundMessageCreated } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openTestDatabase,
  type TestDatabase,
} from '../../../packages/projections/src/testing/testDatabase';
import { ScriptedTransport, SENT } from './testing/scriptedTransport';
import {
  addChannel,
  addMessage,
  createdMessages,
  eventually,
  registerUser,
  startConversation,
  streamEvents,
} from './testing/notifierEvents';
import { startNotifier, type Notifier } from './startNotifier';
import { TransportRegistry } from './transports/transportRegistry';
import type { SandboxRecord } from './transports/sandboxTransport';

const SECRET = 's'.repeat(32);

describe('the notifier, in process, end to end over the sandbox', () => {
  let dir: string;
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let notifier: Notifier | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'notifier-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db') });
    testDb = await openTestDatabase('sqlite');
    await registerUser(store, '1', 'Ann Author');
    await registerUser(store, '2', 'Ben Baker');
    await registerUser(store, '3', 'Cy Cole');
    await addChannel(store, { channelId: '21', userId: '2', address: 'ben@example.com' });
    await addChannel(store, { channelId: '31', userId: '3', address: 'bounce@example.com' });
  });

  afterEach(async () => {
    await notifier?.stop();
    notifier = undefined;
    await testDb.cleanup();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (overrides: Partial<Parameters<typeof startNotifier>[0]> = {}) =>
    startNotifier({
      store,
      db: testDb.db,
      confirmationSecret: SECRET,
      dataDir: dir,
      from: 'notifications@example.com',
      pollIntervalMs: 5,
      deliveryPollIntervalMs: 20,
      ...overrides,
    });
  const stateOf = async (outboundId: string) =>
    (await streamEvents(store, `outbound-${outboundId}`)).map((e) => e.type).pop();
  const messagesTo = async (channelId: string) =>
    (await createdMessages(store)).filter((m) => m.data.channelId === channelId);
  const sandboxRecord = (outboundId: string) =>
    JSON.parse(readFileSync(join(dir, 'sandbox', `${outboundId}.json`), 'utf8')) as SandboxRecord;

  it('delivers, bounces, counts the bounce on the channel, then suppresses its mail', async () => {
    notifier = await start();
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2', '3'],
      subject: 'Field trip',
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '500',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
      body: 'Bring a lunch.',
    });

    const [toBen] = await eventually(async () => {
      const found = await messagesTo('21');
      return (
        found.length === 1 &&
        (await stateOf(found[0]!.data.outboundId)) === 'OutboundMessageDelivered' &&
        found
      );
    }, 'the message to Ben to be delivered');
    expect(sandboxRecord(toBen!.data.outboundId)).toMatchObject({
      to: 'ben@example.com',
      subject: 'Field trip',
      status: 'delivered',
    });
    await eventually(
      async () =>
        (await streamEvents(store, 'channel-31')).some((e) => e.type === 'ChannelBounced'),
      'the bounce to be counted on Cy’s channel',
    );
    const [toCy] = await messagesTo('31');
    expect(await stateOf(toCy!.data.outboundId)).toBe('OutboundMessageBounced');

    await addMessage(store, {
      conversationId: '100',
      messageId: '501',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
    });
    const suppressed = await eventually(async () => {
      const found = await messagesTo('31');
      return found.length === 2 && found[1];
    }, 'the second message to Cy');
    expect(suppressed.data.suppressed).toBe(true);
    await eventually(
      async () =>
        (await messagesTo('21')).length === 2 &&
        (await stateOf((await messagesTo('21'))[1]!.data.outboundId)) ===
          'OutboundMessageDelivered',
      'the second message to Ben',
    );
    expect(existsSync(join(dir, 'sandbox', `${suppressed.data.outboundId}.json`))).toBe(false);
    expect(await stateOf(suppressed.data.outboundId)).toBe('OutboundMessageCreated');
  });

  it('mails a new channel its confirmation code', async () => {
    notifier = await start();
    await addChannel(store, {
      channelId: '22',
      userId: '2',
      address: 'ben.new@example.com',
      workflowState: 'unconfirmed',
      nonce: 'abc',
    });

    const [confirmation] = await eventually(async () => {
      const found = await messagesTo('22');
      return (
        found.length === 1 &&
        (await stateOf(found[0]!.data.outboundId)) === 'OutboundMessageDelivered' &&
        found
      );
    }, 'the confirmation to be delivered');
    const code = new ConfirmationCodes(SECRET).codeFor('22', 'abc');
    expect(sandboxRecord(confirmation!.data.outboundId).body).toContain(code);
  });

  it('clears a channel’s bounces after a successful send', async () => {
    let cyCalls = 0;
    const transport = new ScriptedTransport((m) =>
      m.to === 'bounce@example.com' && ++cyCalls === 1
        ? { outcome: 'bounced', reason: '550' }
        : SENT,
    );
    notifier = await start({
      transports: new TransportRegistry().register('email', transport),
      bounceThreshold: 2,
    });
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '3'],
      subject: 'x',
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '500',
      authorId: '1',
      recipientIds: ['1', '3'],
    });
    await eventually(
      async () =>
        (await streamEvents(store, 'channel-31')).some((e) => e.type === 'ChannelBounced'),
      'the bounce',
    );
    await addMessage(store, {
      conversationId: '100',
      messageId: '501',
      authorId: '1',
      recipientIds: ['1', '3'],
    });

    await eventually(
      async () =>
        (await streamEvents(store, 'channel-31')).some((e) => e.type === 'ChannelBounceReset'),
      'the reset',
    );
    const created = (await messagesTo('31')).map(
      (m) => (m.data as OutboundMessageCreated['data']).suppressed,
    );
    expect(created).toEqual([false, false]);
  });
});
