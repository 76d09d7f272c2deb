import type { ConversationEvent, ParticipantViewEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { type Projection, ProjectionRunner, rebuildProjection } from '@missive/projections';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { seededRandom } from '../../../projections/src/testing/seededRandom';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { applyConversationEvent, type Tx } from './testing/perEventStatements';
import { conversationsProjection } from './conversationsProjection';
import { COUNTED_SCOPES, countedScopes, SCOPE_COUNT_TABLE } from './scopeCounts';

type Event = ConversationEvent | ParticipantViewEvent;
type MessageAdded = Extract<Event, { type: 'MessageAdded' }>;

const VIEW_TYPES = [
  'ConversationMarkedAsRead',
  'ConversationMarkedAsUnread',
  'ConversationArchived',
  'ConversationStarred',
  'ConversationUnstarred',
  'ConversationSubscribed',
  'ConversationUnsubscribed',
  'ConversationViewDeleted',
  'MessagesRemoved',
] as const;

/**
 * A random log over a few conversations and users, dense enough that one batch holds a
 * conversation's start, its messages, joins and its participants' actions, with some events
 * that fail (duplicate rows) and some ids the database normalizes (`07`).
 */
function generateLog(seed: number, count: number): { stream: string; event: Event }[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const users = ['1', '2', '3', '4', '5', '6'];
  const conversations = new Map<string, { participants: string[]; messages: string[] }>();
  const log: { stream: string; event: Event }[] = [];
  let minute = 0;
  let nextMessage = 1000;
  const at = () => new Date(Date.UTC(2026, 0, 1) + ++minute * 60_000).toISOString();
  const odd = (id: string) => (chance(0.03) ? `0${id}` : id);

  while (log.length < count) {
    const started = [...conversations.keys()];
    const roll = random();
    if (started.length === 0 || roll < 0.08) {
      const id = chance(0.05) && started.length > 0 ? pick(started) : String(100 + log.length);
      const participants = users.filter(() => chance(0.5));
      if (participants.length === 0) participants.push(pick(users));
      if (!conversations.has(id)) conversations.set(id, { participants, messages: [] });
      log.push({
        stream: `conversation-${id}`,
        event: {
          type: 'ConversationStarted',
          data: {
            conversationId: id,
            authorId: participants[0]!,
            participantIds: participants,
            subject: chance(0.5) ? `s${id}` : null,
            privateHash: chance(0.3) ? `h${id}` : null,
            contextCode: chance(0.3) ? 'course_5' : null,
            createdAt: at(),
          },
        },
      });
      continue;
    }
    const id = pick(started);
    const conversation = conversations.get(id)!;
    if (roll < 0.55) {
      const recipients = conversation.participants.filter(() => chance(0.8));
      const author = chance(0.9) ? pick(conversation.participants) : pick(users);
      if (chance(0.9) && !recipients.includes(author)) recipients.unshift(author);
      if (recipients.length === 0) recipients.push(author);
      const messageId =
        chance(0.02) && conversation.messages.length > 0
          ? pick(conversation.messages)
          : String(++nextMessage);
      const forwarded =
        chance(0.1) && conversation.messages.length > 0 ? [pick(conversation.messages)] : [];
      const tags: Record<string, string[]> = {};
      if (chance(0.3)) for (const user of recipients) tags[user] = [pick(['course_5', 'group_9'])];
      const event: MessageAdded = {
        type: 'MessageAdded',
        data: {
          conversationId: id,
          messageId,
          authorId: odd(author),
          body: pick(BODIES)(messageId),
          createdAt: at(),
          recipientIds: recipients.map((r) => (chance(0.02) ? odd(r) : r)),
          generated: chance(0.1),
          attachmentIds: chance(0.2) ? ['77'] : [],
          mediaComment: chance(0.1) ? { mediaId: 'm1', mediaType: 'video' } : null,
          forwardedMessageIds: forwarded,
          updateForSender: chance(0.7),
          ...(chance(0.8) ? { tags } : {}),
        },
      };
      conversation.messages.push(messageId);
      log.push({ stream: `conversation-${id}`, event });
    } else if (roll < 0.62) {
      const outsiders = users.filter((u) => !conversation.participants.includes(u));
      const joining = chance(0.1) || outsiders.length === 0 ? [pick(users)] : [pick(outsiders)];
      conversation.participants.push(
        ...joining.filter((u) => !conversation.participants.includes(u)),
      );
      log.push({
        stream: `conversation-${id}`,
        event: {
          type: 'RecipientsAdded',
          data: {
            conversationId: id,
            addedBy: conversation.participants[0]!,
            userIds: joining,
            withHistory: chance(0.5),
            at: at(),
          },
        },
      });
    } else {
      const user = chance(0.9) ? pick(conversation.participants) : pick(users);
      const type = pick(VIEW_TYPES);
      const data = { conversationId: id, userId: odd(user), at: at() };
      const event = (
        type === 'MessagesRemoved'
          ? {
              type,
              data: {
                ...data,
                messageIds: conversation.messages.filter(() => chance(0.3)),
              },
            }
          : { type, data }
      ) as ParticipantViewEvent;
      log.push({ stream: `participant-${id}-${user}`, event });
    }
  }
  return log;
}

/**
 * Message texts around the 101-character preview: short, longer in UTF-16 units than in
 * characters (astral), and longer in both, so that the fold's preview and SQL's `substr`
 * must agree on where they cut.
 */
const BODIES: ((id: string) => string)[] = [
  (id) => `m${id}`,
  (id) => `m${id}`,
  (id) => `${'😀'.repeat(60)} m${id}`,
  (id) => `${'é😀 x'.repeat(40)} m${id}`,
  (id) => `m${id} ${'word '.repeat(30)}`,
];

/** The statement-per-event implementation the batch path must reproduce. */
const perEventStatements: Projection = {
  ...conversationsProjection,
  async apply(events, tx) {
    for (const event of events) {
      await applyConversationEvent(tx as Tx, { type: event.type, data: event.data } as Event);
    }
  },
};

const TABLES: Record<string, string> = {
  conversations: 'id',
  conversation_messages: 'id',
  message_copies: 'user_id, conversation_id, message_id',
  conversation_participants: 'user_id, conversation_id',
  conversation_participant_tags: 'user_id, conversation_id, tag',
};

const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe.each(['sqlite', 'postgres'] as const)('conversations batch path on %s', (dialect) => {
  let store: SqliteEventStore;
  const databases: TestDatabase[] = [];

  beforeEach(() => {
    store = new SqliteEventStore({ path: ':memory:' });
  });

  afterEach(async () => {
    await Promise.all(databases.splice(0).map((d) => d.cleanup()));
    await store.close();
  });

  /** `rebuild`: through a blue/green rebuild's shadow tables, as the CLI builds it. */
  async function project(projection: Projection, batchSize: number, rebuild = false) {
    const testDb = await openTestDatabase(dialect);
    databases.push(testDb);
    if (rebuild) {
      await rebuildProjection({ store, db: testDb.db, projection, batchSize, logger: silent });
    } else {
      const runner = new ProjectionRunner({
        store,
        db: testDb.db,
        projection,
        batchSize,
        logger: silent,
      });
      await runner.catchUp();
    }
    const dump: Record<string, unknown[]> = {};
    for (const [table, key] of Object.entries(TABLES)) {
      const { rows } =
        await sql`select * from ${sql.table(table)} order by ${sql.raw(key)}`.execute(testDb.db);
      dump[table] = rows;
    }
    const parked = await testDb.db
      .selectFrom('projection_parked')
      .select('event_id')
      .orderBy('position')
      .execute();
    if (projection !== perEventStatements) await expectTotalsOfRows(testDb);
    await expectListColumnsOfRows(testDb);
    return { dump, parked: parked.map((p: { event_id: string }) => p.event_id) };
  }

  /** The kept scope totals are what counting the participant rows gives. */
  async function expectTotalsOfRows({ db }: TestDatabase): Promise<void> {
    const normal = (rows: Record<string, unknown>[]) =>
      rows
        .map((row) => [String(row.user_id), ...COUNTED_SCOPES.map((scope) => Number(row[scope]))])
        .filter(([, ...counts]) => counts.some((n) => n !== 0))
        .sort((a, b) => Number(a[0]) - Number(b[0]));
    const kept = await sql<
      Record<string, unknown>
    >`select * from ${sql.table(SCOPE_COUNT_TABLE)}`.execute(db);
    const counted = await countedScopes().execute(db);
    expect(normal(kept.rows)).toEqual(normal(counted.rows));
    expect(normal(counted.rows).length).toBeGreaterThan(0);
  }

  /** The list columns copied onto each row are what its conversation and messages hold. */
  async function expectListColumnsOfRows({ db }: TestDatabase): Promise<void> {
    const { rows } = await sql<Record<string, unknown>>`
      select cp.user_id, cp.conversation_id from conversation_participants cp
      left join conversations c on c.id = cp.conversation_id
      left join conversation_messages lm on lm.id = cp.last_message_id
      left join conversation_messages la on la.id = cp.last_authored_message_id
      where cp.subject is distinct from c.subject
        or cp.is_private <> (case when c.private_hash is null then 0 else 1 end)
        or cp.context_code is distinct from c.context_code
        or cp.last_message_author_id is distinct from lm.author_id
        or cp.last_message_preview is distinct from substr(lm.body, 1, 101)
        or cp.last_authored_preview is distinct from substr(la.body, 1, 101)`.execute(db);
    expect(rows).toEqual([]);
  }

  it.each([1, 2, 3, 4, 5])(
    'gives the rows of one statement set per event, whatever the batch size (seed %i)',
    async (seed) => {
      for (const { stream, event } of generateLog(seed, 400)) {
        await store.append(stream, [{ id: randomUUID(), type: event.type, data: event.data }]);
      }
      const reference = await project(perEventStatements, 1);
      const oneByOne = await project(conversationsProjection, 1);
      const batched = await project(conversationsProjection, 2000);
      const midsize = await project(conversationsProjection, 37);
      const rebuilt = await project(conversationsProjection, 500, true);

      // The log must exercise what it is meant to: rows of every kind and some failures.
      expect(reference.dump.conversation_participants!.length).toBeGreaterThan(20);
      expect(reference.dump.conversation_participant_tags!.length).toBeGreaterThan(0);
      expect(reference.parked.length).toBeGreaterThan(0);
      expect(oneByOne).toEqual(reference);
      expect(batched).toEqual(reference);
      expect(midsize).toEqual(reference);
      expect(rebuilt).toEqual(reference);
    },
  );

  it('folds a conversation started, written to, joined and read within one batch', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();
    const message = (messageId: string, authorId: string, recipients: string[], minute: number) =>
      ({
        type: 'MessageAdded',
        data: {
          conversationId: '7',
          messageId,
          authorId,
          body: messageId,
          createdAt: at(minute),
          recipientIds: recipients,
          generated: false,
          attachmentIds: [],
          mediaComment: null,
          forwardedMessageIds: [],
          updateForSender: minute > 1,
        },
      }) as Event;
    const log: Event[] = [
      {
        type: 'ConversationStarted',
        data: {
          conversationId: '7',
          authorId: '1',
          participantIds: ['1', '2'],
          subject: 's',
          privateHash: null,
          contextCode: null,
          createdAt: at(0),
        },
      },
      message('70', '1', ['1', '2'], 1),
      { type: 'ConversationArchived', data: { conversationId: '7', userId: '1', at: at(2) } },
      message('71', '2', ['1', '2'], 3),
      {
        type: 'RecipientsAdded',
        data: { conversationId: '7', addedBy: '1', userIds: ['3'], withHistory: false, at: at(4) },
      },
      { type: 'ConversationUnsubscribed', data: { conversationId: '7', userId: '2', at: at(5) } },
      message('72', '1', ['1', '2', '3'], 6),
      { type: 'ConversationMarkedAsRead', data: { conversationId: '7', userId: '3', at: at(7) } },
      { type: 'ConversationStarred', data: { conversationId: '7', userId: '3', at: at(8) } },
    ];
    await store.append(
      'conversation-7',
      log.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );
    const reference = await project(perEventStatements, 1);
    const batched = await project(conversationsProjection, 2000);
    expect(batched).toEqual(reference);
    const participants = reference.dump.conversation_participants as Record<string, unknown>[];
    expect(
      participants.map((p) => [String(p.user_id), p.workflow_state, Number(p.message_count)]),
    ).toEqual([
      // Ann's archived row came back with Ben's reply; Ben unsubscribed keeps his state.
      ['1', 'unread', 3],
      ['2', 'read', 3],
      ['3', 'read', 1],
    ]);
  });
});
