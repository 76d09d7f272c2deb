import { streams, type ConversationLogEvent } from '@missive/domain';
import { toEventData } from '@missive/command-handling';
import {
  EventStoreDbEventStore,
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
} from '@missive/event-store';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ConversationQueries } from '@missive/read-models';
// The adapter's own in-memory double of an EventStoreDB server (no server runs here).
import { FakeEsdbClient } from '../../../../packages/event-store/src/testing/fakeEsdbClient';
import { ConversationAsOfHandler, ConversationAsOfQuery } from './conversationAsOfQuery';
import { HistoryHandler, HistoryQuery } from './historyQuery';
import { PG_TEST_URL } from '../testing/pgTestDatabase';

const ctx = { actorUserId: '1', correlationId: 'test', causationId: 'test' };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(conversationId: string, id: string, authorId: string): ConversationLogEvent {
  return {
    type: 'MessageAdded',
    data: {
      conversationId,
      messageId: id,
      authorId,
      body: `body ${id}`,
      createdAt: new Date().toISOString(),
      recipientIds: ['1', '2'],
      generated: false,
      attachmentIds: [],
      mediaComment: null,
      forwardedMessageIds: [],
      updateForSender: true,
    },
  };
}

const started = (conversationId: string): ConversationLogEvent => ({
  type: 'ConversationStarted',
  data: {
    conversationId,
    authorId: '1',
    participantIds: ['1', '2'],
    subject: null,
    privateHash: null,
    contextCode: null,
    createdAt: new Date().toISOString(),
  },
});

/** Only the audit's scope of a user needs the read model; these tests ask by conversation. */
const noReadModel = {} as ConversationQueries;

/** The audit reads only through the store port: the same answers on each adapter. */
/** A schema of this run's own on the shared server, dropped when the suite ends. */
const pgSchema = `audit_${process.pid}_${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  const admin = new Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${pgSchema}" CASCADE`);
  await admin.end();
});

describe.each([
  ['SQLite', () => new SqliteEventStore({ path: ':memory:' })],
  ['PostgreSQL', () => new PostgresEventStore({ connectionString: PG_TEST_URL, schema: pgSchema })],
  [
    'EventStoreDB (over its in-memory client double)',
    () => new EventStoreDbEventStore({ client: new FakeEsdbClient({ noisy: true }).asClient() }),
  ],
])('audit queries on %s', (_name, open: () => EventStore) => {
  let store: EventStore;
  let middle: Date;

  beforeAll(async () => {
    store = open();
    const append = (stream: string, e: ConversationLogEvent) =>
      store.append(stream, [toEventData(e, ctx, new Date())]);
    await append(streams.conversation('100'), started('100'));
    // Another conversation whose id starts like this one's: never part of its answers.
    await append(streams.conversation('1000'), started('1000'));
    await append(streams.conversation('100'), message('100', '500', '1'));
    await append(streams.conversation('1000'), message('1000', '900', '1'));
    await pause(5);
    middle = new Date();
    await pause(5);
    await append(streams.participant('100', '2'), {
      type: 'ConversationStarred',
      data: { conversationId: '100', userId: '2', at: new Date().toISOString() },
    });
    await append(streams.conversation('100'), message('100', '501', '2'));
  });
  afterAll(async () => {
    await store.close();
  });

  it('folds a participant’s view at a moment from the log', async () => {
    const asOf = new ConversationAsOfHandler(store);
    const then = await asOf.execute(new ConversationAsOfQuery('100', '2', middle));
    expect(then?.row).toMatchObject({ starred: false, messageCount: 1, workflowState: 'unread' });
    const now = await asOf.execute(new ConversationAsOfQuery('100', '2', new Date()));
    expect(now?.row).toMatchObject({
      starred: true,
      messageCount: 2,
      lastAuthoredMessageId: '501',
    });
    expect(
      await asOf.execute(new ConversationAsOfQuery('100', '2', new Date(Date.UTC(2020, 0)))),
    ).toBeUndefined();
    expect(await asOf.execute(new ConversationAsOfQuery('100', '3', new Date()))).toBeUndefined();
  });

  it('pages a conversation’s history in log order, no other conversation’s events', async () => {
    const history = new HistoryHandler(store, noReadModel);
    const first = await history.execute(new HistoryQuery({ conversationId: '100' }, 'start', 2));
    expect(first).toMatchObject({ more: true, found: true });
    const rest = await history.execute(
      new HistoryQuery({ conversationId: '100' }, first.events.at(-1)!.position, 2),
    );
    expect(rest).toMatchObject({ more: false, found: true });
    expect([...first.events, ...rest.events].map((e) => [e.streamId, e.type])).toEqual([
      ['conversation-100', 'ConversationStarted'],
      ['conversation-100', 'MessageAdded'],
      ['participant-100-2', 'ConversationStarred'],
      ['conversation-100', 'MessageAdded'],
    ]);
    const unknown = await history.execute(new HistoryQuery({ conversationId: '7' }, 'start', 2));
    expect(unknown.found).toBe(false);
  });
});
