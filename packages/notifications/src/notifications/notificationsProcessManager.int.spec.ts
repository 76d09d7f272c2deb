import { ConfirmationCodes, IdGenerator, derivedUlid } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import { randomUUID } from 'node:crypto';
import { ProjectionRunner, countParked, type Projection } from '@missive/projections';
import {
  openTestDatabase,
  type TestDatabase,
} from '../../../../packages/projections/src/testing/testDatabase';
import {
  CORRELATION_ID,
  addChannel,
  addMessage,
  append,
  at,
  channelEvent,
  createdMessages,
  messageAdded,
  registerUser,
  startConversation,
} from '../testing/notifierEvents';
import { NO_SUBJECT } from './notificationContent';
import {
  notificationsProcessManager,
  type NotificationsOptions,
} from './notificationsProcessManager';

const SECRET = 'n'.repeat(32);
const codes = new ConfirmationCodes(SECRET);

describe.each(['sqlite', 'postgres'] as const)('notifications process manager on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  const runners: ProjectionRunner[] = [];

  const manager = (overrides: Partial<NotificationsOptions> = {}): Projection =>
    notificationsProcessManager({
      store,
      ids: new IdGenerator(5),
      codes,
      sender: { from: 'notifications@example.com', fromName: 'Missive' },
      bounceThreshold: 1,
      ...overrides,
    });

  const run = async (
    projection: Projection = manager(),
    options: { db?: TestDatabase['db']; batchSize?: number } = {},
  ) => {
    const runner = new ProjectionRunner({
      store,
      db: options.db ?? testDb.db,
      projection,
      batchSize: options.batchSize,
    });
    runners.push(runner);
    await runner.catchUp();
    return runner;
  };

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    await registerUser(store, '1', 'Ann Author');
    await registerUser(store, '2', 'Ben Baker');
    await registerUser(store, '3', 'Cy Cole');
    await addChannel(store, { channelId: '11', userId: '1', address: 'ann@example.com' });
    await addChannel(store, { channelId: '21', userId: '2', address: 'Ben@Example.com' });
    await addChannel(store, {
      channelId: '22',
      userId: '2',
      address: 'ben.new@example.com',
      workflowState: 'unconfirmed',
    });
    await addChannel(store, { channelId: '23', userId: '2', address: '+15550100', type: 'sms' });
    await addChannel(store, {
      channelId: '24',
      userId: '2',
      address: 'device-token',
      type: 'push',
    });
    await addChannel(store, { channelId: '31', userId: '3', address: 'cy@example.com' });
    await addChannel(store, { channelId: '32', userId: '3', address: 'cy@work.example.com' });
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await testDb.cleanup();
    await store.close();
  });

  const conversationMessages = async () =>
    (await createdMessages(store)).filter((m) => m.data.kind === 'conversation_message');

  it('emails every other recipient on each active email channel, and nobody else', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2', '3'],
      subject: 'Field trip',
    });
    const { position } = await addMessage(store, {
      conversationId: '100',
      messageId: '500',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
      body: 'Bring a lunch.',
    });
    await run();

    const messages = await conversationMessages();
    expect(messages.map((m) => [m.data.userId, m.data.channelId, m.data.to])).toEqual([
      ['2', '21', 'Ben@Example.com'],
      ['3', '31', 'cy@example.com'],
      ['3', '32', 'cy@work.example.com'],
    ]);
    const [cause] = await readAt(store, position);
    const first = messages[0]!;
    expect(first.streamId).toBe(`outbound-${first.data.outboundId}`);
    expect(first.data).toMatchObject({
      outboundId: derivedUlid(cause!.id, '21', cause!.created),
      kind: 'conversation_message',
      channel: 'email',
      from: 'notifications@example.com',
      fromName: 'Missive',
      replyTo: null,
      subject: 'Field trip',
      conversationId: '100',
      suppressed: false,
      scheduledFor: null,
      cause: { eventId: cause!.id, streamId: 'conversation-100', type: 'MessageAdded' },
      createdAt: cause!.created.toISOString(),
    });
    expect(first.data.messageId).toMatch(/^\d+$/);
    expect(first.data.body).toContain('Bring a lunch.');
    expect(first.data.body).toContain('Ann Author wrote this in the conversation "Field trip"');
    expect(first.metadata).toMatchObject({
      causationId: cause!.id,
      correlationId: CORRELATION_ID,
      actorUserId: null,
    });
    expect(new Set(messages.map((m) => m.data.messageId)).size).toBe(3);
  });

  it('creates nothing twice: not on a rolled-back batch, not on a replay into a fresh database', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2', '3'],
      subject: null,
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '500',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
    });
    // The batch's appends happen, then its transaction fails: the runner retries event by
    // event, which derives the same messages again.
    const inner = manager();
    let failures = 0;
    const failingOnce: Projection = {
      ...inner,
      apply: async (events, tx) => {
        await inner.apply(events, tx);
        if (failures++ === 0) throw new Error('commit lost');
      },
    };
    await run(failingOnce);
    expect(failures).toBeGreaterThan(1);
    expect(await countParked(testDb.db, 'notifications', 1)).toBe(0);
    const first = await conversationMessages();
    expect(first).toHaveLength(3);

    const fresh = await openTestDatabase(dialect);
    try {
      await run(manager(), { db: fresh.db });
      const replayed = await conversationMessages();
      expect(replayed.map((m) => m.id)).toEqual(first.map((m) => m.id));
    } finally {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await fresh.cleanup();
    }
  });

  it.each([1, 1000])(
    'decides each event on the state at its position (batches of %i)',
    async (batchSize) => {
      await startConversation(store, {
        conversationId: '100',
        authorId: '1',
        participantIds: ['1', '2'],
        subject: 'Plans',
      });
      await addMessage(store, {
        conversationId: '100',
        messageId: '501',
        authorId: '1',
        recipientIds: ['1', '2'],
      });
      // Ben confirms his second address, then removes his first one.
      await channelEvent(store, {
        type: 'ChannelConfirmed',
        data: { channelId: '22', userId: '2', confirmedAt: at(2) },
      });
      await addMessage(store, {
        conversationId: '100',
        messageId: '502',
        authorId: '1',
        recipientIds: ['1', '2'],
      });
      await channelEvent(store, {
        type: 'ChannelRemoved',
        data: { channelId: '21', userId: '2', removedAt: at(3) },
      });
      await addMessage(store, {
        conversationId: '100',
        messageId: '503',
        authorId: '1',
        recipientIds: ['1', '2'],
      });
      await run(manager(), { batchSize });

      const sent = (await conversationMessages()).map((m) => [
        m.data.body.split('\n')[0],
        m.data.channelId,
      ]);
      expect(sent).toEqual([
        ['message 501', '21'],
        ['message 502', '21'],
        ['message 502', '22'],
        ['message 503', '22'],
      ]);
    },
  );

  it('forgets an erased user: placeholder name, no channels, nothing more sent to them', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2'],
      subject: 'Field trip',
    });
    await store.append('user-2', [
      { id: randomUUID(), type: 'UserErased', data: { userId: '2', erasedAt: at } },
    ]);
    // In the same batch as the erasure, after it: the erased user's channels are already gone.
    await addMessage(store, {
      conversationId: '100',
      messageId: '500',
      authorId: '1',
      recipientIds: ['1', '2'],
      body: 'Bring a lunch.',
    });
    await run();

    expect(await conversationMessages()).toEqual([]);
    const users = await testDb.db
      .selectFrom('notifier_users')
      .select(['user_id', 'name', 'short_name'])
      .where('user_id', '=', '2')
      .execute();
    expect(users).toEqual([
      { user_id: '2', name: ERASED_PLACEHOLDERS.name, short_name: ERASED_PLACEHOLDERS.name },
    ]);
    const channels = await testDb.db
      .selectFrom('notifier_channels')
      .select('channel_id')
      .where('user_id', '=', '2')
      .execute();
    expect(channels).toEqual([]);
  });

  it('rewrites the subjects of the conversations an erased user started, not the others', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '2',
      participantIds: ['1', '2'],
      subject: 'Ben asks',
    });
    await startConversation(store, {
      conversationId: '101',
      authorId: '1',
      participantIds: ['1', '2'],
      subject: 'Ann asks',
    });
    await run();
    await store.append('user-2', [
      { id: randomUUID(), type: 'UserErased', data: { userId: '2', erasedAt: at } },
    ]);
    await run();
    const subjects = await testDb.db
      .selectFrom('notifier_conversations')
      .select(['conversation_id', 'subject'])
      .orderBy('conversation_id')
      .execute();
    expect(subjects).toEqual([
      { conversation_id: '100', subject: ERASED_PLACEHOLDERS.text },
      { conversation_id: '101', subject: 'Ann asks' },
    ]);
  });

  it('skips generated messages and users who unsubscribed, and falls back to "(No subject)"', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2', '3'],
      subject: '   ',
    });
    await append(store, 'participant-100-3', {
      type: 'ConversationUnsubscribed',
      data: { conversationId: '100', userId: '3', at: at(1) },
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '501',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '502',
      authorId: '1',
      recipientIds: ['1', '2', '3'],
      generated: true,
    });
    await append(store, 'participant-100-3', {
      type: 'ConversationSubscribed',
      data: { conversationId: '100', userId: '3', at: at(2) },
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '503',
      authorId: '2',
      recipientIds: ['1', '2', '3'],
    });
    await run();

    const sent = await conversationMessages();
    expect(sent.map((m) => [m.data.body.split('\n')[0], m.data.userId])).toEqual([
      ['message 501', '2'],
      ['message 503', '1'],
      ['message 503', '3'],
      ['message 503', '3'],
    ]);
    expect(new Set(sent.map((m) => m.data.subject))).toEqual(new Set([NO_SUBJECT]));
    expect(sent[1]!.data.body).toContain('Ben Baker wrote this');
  });

  it('tells users added with add_recipients, but not users who join through add_message', async () => {
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2'],
      subject: 'Club',
    });
    await append(
      store,
      'conversation-100',
      {
        type: 'RecipientsAdded',
        data: { conversationId: '100', addedBy: '1', userIds: ['3'], withHistory: true, at: at(1) },
      },
      messageAdded({
        conversationId: '100',
        messageId: '501',
        authorId: '1',
        recipientIds: ['1', '2', '3'],
        generated: true,
      }),
    );
    await append(store, 'conversation-100', {
      type: 'RecipientsAdded',
      data: { conversationId: '100', addedBy: '2', userIds: ['3'], withHistory: false, at: at(2) },
    });
    await run();

    const sent = await conversationMessages();
    expect(sent.map((m) => [m.data.userId, m.data.channelId, m.data.subject])).toEqual([
      ['3', '31', 'You were added to the conversation "Club"'],
      ['3', '32', 'You were added to the conversation "Club"'],
    ]);
    expect(sent[0]!.data.body).toContain('Ann Author added you to the conversation "Club"');
  });

  it('creates messages to a bouncing channel already suppressed', async () => {
    await channelEvent(store, {
      type: 'ChannelBounced',
      data: { channelId: '21', userId: '2', bounceCount: 1, lastBounceAt: at(1) },
    });
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2'],
      subject: 'x',
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '501',
      authorId: '1',
      recipientIds: ['1', '2'],
    });
    await channelEvent(store, {
      type: 'ChannelBounceReset',
      data: { channelId: '21', userId: '2', resetAt: at(2) },
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '502',
      authorId: '1',
      recipientIds: ['1', '2'],
    });
    await run();

    expect((await conversationMessages()).map((m) => m.data.suppressed)).toEqual([true, false]);
  });

  it('honours BOUNCE_THRESHOLD', async () => {
    await channelEvent(store, {
      type: 'ChannelBounced',
      data: { channelId: '21', userId: '2', bounceCount: 1, lastBounceAt: at(1) },
    });
    await startConversation(store, {
      conversationId: '100',
      authorId: '1',
      participantIds: ['1', '2'],
      subject: 'x',
    });
    await addMessage(store, {
      conversationId: '100',
      messageId: '501',
      authorId: '1',
      recipientIds: ['1', '2'],
    });
    await run(manager({ bounceThreshold: 2 }));

    expect((await conversationMessages()).map((m) => m.data.suppressed)).toEqual([false]);
  });

  it('mails the confirmation code of new and revived email channels, suppressed when the address bounces', async () => {
    await addChannel(store, {
      channelId: '40',
      userId: '3',
      address: 'Dee@example.com',
      workflowState: 'unconfirmed',
      nonce: 'n40',
    });
    await addChannel(store, {
      channelId: '41',
      userId: '3',
      address: '+15550199',
      type: 'sms',
      workflowState: 'unconfirmed',
      nonce: 'n41',
    });
    await channelEvent(store, {
      type: 'ChannelRemoved',
      data: { channelId: '40', userId: '3', removedAt: at(1) },
    });
    await channelEvent(store, {
      type: 'ChannelRevived',
      data: {
        channelId: '40',
        userId: '3',
        workflowState: 'unconfirmed',
        confirmationNonce: 'n40b',
        revivedAt: at(2),
      },
    });
    // Another user's channel with the same address has bounced: the address is known bad.
    await addChannel(store, { channelId: '50', userId: '2', address: 'dee@EXAMPLE.com' });
    await channelEvent(store, {
      type: 'ChannelBounced',
      data: { channelId: '50', userId: '2', bounceCount: 1, lastBounceAt: at(3) },
    });
    await addChannel(store, {
      channelId: '42',
      userId: '1',
      address: 'dee@example.com',
      workflowState: 'unconfirmed',
      nonce: 'n42',
    });
    await run();

    const confirmations = (await createdMessages(store)).filter(
      (m) => m.data.kind === 'channel_confirmation',
    );
    // Ben's '22' was added unconfirmed in beforeEach; skip-confirmation channels get nothing.
    expect(confirmations.map((m) => [m.data.channelId, m.data.to, m.data.suppressed])).toEqual([
      ['22', 'ben.new@example.com', false],
      ['40', 'Dee@example.com', false],
      ['40', 'Dee@example.com', false],
      ['42', 'dee@example.com', true],
    ]);
    expect(confirmations[1]!.data.body).toContain(`code is: ${codes.codeFor('40', 'n40')}`);
    expect(confirmations[2]!.data.body).toContain(`code is: ${codes.codeFor('40', 'n40b')}`);
    expect(confirmations[1]!.data).toMatchObject({
      userId: '3',
      subject: 'Confirm Email: Missive',
      conversationId: null,
    });
  });

  it('fans one message out to a 500-member course conversation', async () => {
    const members = Array.from({ length: 500 }, (_, i) => String(1000 + i));
    for (const id of members) {
      await addChannel(store, {
        channelId: `9${id}`,
        userId: id,
        address: `student${id}@example.com`,
      });
    }
    await startConversation(store, {
      conversationId: '200',
      authorId: '1',
      participantIds: ['1', ...members],
      subject: 'Course announcement',
    });
    await addMessage(store, {
      conversationId: '200',
      messageId: '600',
      authorId: '1',
      recipientIds: ['1', ...members],
    });
    await run();

    const sent = await conversationMessages();
    expect(sent).toHaveLength(500);
    expect(new Set(sent.map((m) => m.data.outboundId)).size).toBe(500);
    expect(new Set(sent.map((m) => m.data.messageId)).size).toBe(500);
  });
});

async function readAt(store: SqliteEventStore, position: { commit: bigint; prepare: bigint }) {
  const found = [];
  for await (const e of store.readAll({ filter: { eventTypes: ['MessageAdded'] } })) {
    if (e.position.commit === position.commit) found.push(e);
  }
  return found;
}
