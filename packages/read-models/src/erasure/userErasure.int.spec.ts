import type {
  ChannelAdded,
  ConversationStarted,
  MessageAdded,
  OutboundMessageCreated,
  UserRegistered,
} from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ERASED_PLACEHOLDERS, protectMissiveEventStore } from '@missive/personal-data';
import { ProjectionRunner, rebuildProjection, type Projection } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { channelsProjection } from '../channels/channelsProjection';
import { conversationsProjection } from '../conversations/conversationsProjection';
import { outboundMessagesProjection } from '../outboundMessages/outboundMessagesProjection';
import { usersProjection } from '../users/usersProjection';

const at = '2026-01-01T12:00:00.000Z';
const PROJECTIONS: readonly Projection[] = [
  usersProjection,
  channelsProjection,
  conversationsProjection,
  outboundMessagesProjection,
];
const TABLES = [
  'users',
  'access_tokens',
  'communication_channels',
  'conversations',
  'conversation_messages',
  'message_copies',
  'conversation_participants',
  'outbound_messages',
];

const user = (userId: string, name: string): UserRegistered => ({
  type: 'UserRegistered',
  data: {
    userId,
    name,
    shortName: name,
    sortableName: name,
    loginId: `${name.toLowerCase()}@example.com`,
    siteAdmin: false,
    createdAt: at,
  },
});
const message = (messageId: string, authorId: string, body: string): MessageAdded => ({
  type: 'MessageAdded',
  data: {
    conversationId: '5',
    messageId,
    authorId,
    body,
    createdAt: `2026-01-01T12:0${messageId.slice(-1)}:00.000Z`,
    recipientIds: ['7', '8'],
    generated: false,
    attachmentIds: [],
    mediaComment: null,
    forwardedMessageIds: [],
    updateForSender: messageId !== '51',
  },
});

describe.each(['sqlite', 'postgres'] as const)('erasing a user on %s', (dialect) => {
  let dir: string;
  let testDb: TestDatabase;
  let store: ReturnType<typeof protectMissiveEventStore>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'missive-erasure-'));
    testDb = await openTestDatabase(dialect);
    store = protectMissiveEventStore(
      new SqliteEventStore({ path: join(dir, 'events.db') }),
      `sqlite:${join(dir, 'keys.db')}`,
    );
  });

  afterEach(async () => {
    await testDb.cleanup();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (stream: string, ...events: { type: string; data: unknown }[]) =>
    store.append(
      stream,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );

  async function snapshot(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const table of TABLES) {
      const { rows } = await sql<
        Record<string, unknown>
      >`SELECT * FROM ${sql.table(table)}`.execute(testDb.db);
      out[table] = rows.map((row) => JSON.stringify(row)).sort();
    }
    return out;
  }

  async function catchUp(): Promise<void> {
    for (const projection of PROJECTIONS) {
      const runner = new ProjectionRunner({ store, db: testDb.db, projection });
      await runner.catchUp();
      await runner.stop();
    }
  }

  it('rewrites the rows live, and a rebuild from the log gives the same rows', async () => {
    await append('user-7', user('7', 'Ada'));
    await append('user-8', user('8', 'Ben'));
    await append('user-7', {
      type: 'AccessTokenIssued',
      data: {
        userId: '7',
        tokenId: '1',
        tokenHash: 'hash-of-ada',
        hint: 'abcd',
        purpose: null,
        createdAt: at,
        expiresAt: null,
      },
    });
    const channel: ChannelAdded = {
      type: 'ChannelAdded',
      data: {
        channelId: '11',
        userId: '7',
        type: 'email',
        address: 'ada@example.com',
        position: 1,
        workflowState: 'active',
        confirmationNonce: null,
        createdAt: at,
      },
    } as ChannelAdded;
    await append('channel-11', channel);
    const started: ConversationStarted = {
      type: 'ConversationStarted',
      data: {
        conversationId: '5',
        authorId: '7',
        participantIds: ['7', '8'],
        subject: 'Ada asks',
        privateHash: null,
        contextCode: null,
        createdAt: at,
      },
    };
    await append('conversation-5', started, message('51', '7', 'Ada wrote this'));
    await append('conversation-5', message('52', '8', 'Ben answers'));
    const mail: OutboundMessageCreated = {
      type: 'OutboundMessageCreated',
      data: {
        outboundId: '01jtest0000000000000000001',
        messageId: '1001',
        kind: 'conversation_message',
        userId: '7',
        channelId: '11',
        channel: 'email',
        to: 'ada@example.com',
        from: 'notifications@missive.test',
        fromName: 'Missive',
        replyTo: null,
        subject: 'Ben answers',
        body: 'Ben answers',
        htmlBody: null,
        media: [],
        conversationId: '5',
        operationId: null,
        tags: {},
        scheduledFor: null,
        cause: { eventId: 'cause-1', streamId: 'conversation-5', type: 'MessageAdded' },
        suppressed: false,
        createdAt: at,
      },
    };
    await append('outbound-01jtest0000000000000000001', mail);
    await catchUp();
    const before = await snapshot();
    expect(before.users.join()).toContain('Ada');
    expect(before.outbound_messages).toHaveLength(1);

    await store.erase('user:7');
    await append('user-7', { type: 'UserErased', data: { userId: '7', erasedAt: at } });
    await catchUp();
    const live = await snapshot();

    const all = Object.values(live).flat().join('\n');
    for (const value of ['Ada', 'ada@example.com', 'Ada asks', 'Ada wrote this', 'hash-of-ada']) {
      expect([value, all.includes(value)]).toEqual([value, false]);
    }
    expect(live.users.join()).toContain(ERASED_PLACEHOLDERS.name);
    expect(live.users.join()).toContain(ERASED_PLACEHOLDERS.loginId);
    expect(live.communication_channels).toEqual([]);
    expect(live.outbound_messages).toEqual([]);
    expect(live.access_tokens).toEqual([]);
    // Ben keeps the conversation, his own message, and Ada's as the placeholder.
    expect(all).toContain('Ben answers');
    expect(live.conversation_messages.join()).toContain(ERASED_PLACEHOLDERS.text);
    const participants = live.conversation_participants.map((r) => JSON.parse(r));
    expect(participants.map((p) => p.subject)).toEqual([
      ERASED_PLACEHOLDERS.text,
      ERASED_PLACEHOLDERS.text,
    ]);

    for (const projection of PROJECTIONS) {
      await rebuildProjection({ store, db: testDb.db, projection });
    }
    expect(await snapshot()).toEqual(live);
  });
});
