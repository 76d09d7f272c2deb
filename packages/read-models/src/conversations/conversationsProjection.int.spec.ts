import type { ConversationEvent, ParticipantViewEvent, UserEvent } from '@missive/domain';
import { SqliteEventStore } from '@missive/event-store';
import { ProjectionRunner } from '@missive/projections';
import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { openTestDatabase, type TestDatabase } from '../../../projections/src/testing/testDatabase';
import { usersProjection } from '../users/usersProjection';
import { ConversationQueries } from './conversationQueries';
import { conversationsProjection } from './conversationsProjection';
import { LIST_COLUMNS } from './migrateListColumns';

const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

function user(id: string, name: string): UserEvent {
  return {
    type: 'UserRegistered',
    data: {
      userId: id,
      name,
      shortName: name,
      sortableName: name,
      loginId: name,
      siteAdmin: false,
      createdAt: t(0),
    },
  };
}

function started(
  id: string,
  participants: string[],
  privateHash: string | null = null,
): ConversationEvent {
  return {
    type: 'ConversationStarted',
    data: {
      conversationId: id,
      authorId: participants[0]!,
      participantIds: participants,
      subject: `s${id}`,
      privateHash,
      contextCode: null,
      createdAt: t(0),
    },
  };
}

function message(
  conversationId: string,
  messageId: string,
  authorId: string,
  recipients: string[],
  minute: number,
  updateForSender = true,
): ConversationEvent {
  return {
    type: 'MessageAdded',
    data: {
      conversationId,
      messageId,
      authorId,
      body: `m${messageId}`,
      createdAt: t(minute),
      recipientIds: recipients,
      generated: false,
      attachmentIds: messageId === '9' ? ['77'] : [],
      mediaComment: null,
      forwardedMessageIds: [],
      updateForSender,
    },
  };
}

describe.each(['sqlite', 'postgres'] as const)('conversations read model on %s', (dialect) => {
  let store: SqliteEventStore;
  let testDb: TestDatabase;
  let runners: ProjectionRunner[];
  let queries: ConversationQueries;

  const append = async (
    stream: string,
    ...events: (ConversationEvent | UserEvent | ParticipantViewEvent)[]
  ) =>
    store.append(
      stream,
      events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data })),
    );
  const project = () => Promise.all(runners.map((r) => r.catchUp()));

  beforeEach(async () => {
    store = new SqliteEventStore({ path: ':memory:' });
    testDb = await openTestDatabase(dialect);
    runners = [usersProjection, conversationsProjection].map(
      (projection) => new ProjectionRunner({ store, db: testDb.db, projection }),
    );
    queries = new ConversationQueries(testDb.db);
    for (const [id, name] of [
      ['1', 'Ann'],
      ['2', 'Ben'],
      ['3', 'Cy'],
    ])
      await append(`user-${id}`, user(id!, name!));
  });

  afterEach(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await testDb.cleanup();
    await store.close();
  });

  it('lists only committed rows while a batch is open on the same connection', async () => {
    await append(
      'conversation-10',
      started('10', ['1', '2']),
      message('10', '5', '2', ['1', '2'], 1),
    );
    await project();
    const ids = async () =>
      (await queries.list('1', 'inbox', { limit: 10, offset: 0 })).items.map((c) => c.id);
    expect(await ids()).toEqual(['10']);
    let listed: Promise<string[]> | undefined;
    // As a projector's batch would: rows written, the transaction still open across awaits.
    await testDb.db
      .transaction()
      .execute(async (tx) => {
        await sql`update conversation_participants set last_message_at = NULL`.execute(tx);
        listed = ids();
        await new Promise((resolve) => setTimeout(resolve, 10));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await listed).toEqual(['10']);
  });

  it('counts the scope totals of a read model that predates them, once', async () => {
    await append(
      'conversation-10',
      started('10', ['1', '2']),
      message('10', '5', '1', ['1', '2'], 1),
    );
    await append(
      'conversation-11',
      started('11', ['1', '3']),
      message('11', '6', '3', ['1', '3'], 2),
    );
    await project();
    const totals = async () =>
      (
        await sql<
          Record<string, unknown>
        >`select * from conversation_scope_counts order by user_id`.execute(testDb.db)
      ).rows.map((row) => Object.values(row).map(Number));
    const kept = await totals();
    expect(kept).toEqual([
      // user, inbox, unread, archived, sent, starred
      [1, 2, 1, 0, 1, 0],
      [2, 1, 1, 0, 0, 0],
      [3, 1, 0, 0, 1, 0],
    ]);
    // An older read model: its rows, no totals table.
    await sql`drop table conversation_scope_counts`.execute(testDb.db);
    await testDb.db.transaction().execute((tx) => conversationsProjection.migrate(tx));
    expect(await totals()).toEqual(kept);
    expect(await queries.unreadCount('1')).toBe(1);
    // A later start finds them and leaves them alone.
    await sql`update conversation_scope_counts set inbox = 7 where user_id = 2`.execute(testDb.db);
    await testDb.db.transaction().execute((tx) => conversationsProjection.migrate(tx));
    expect((await totals())[1]).toEqual([2, 7, 1, 0, 0, 0]);
  });

  it('fills the list columns of a participants table that predates them, once', async () => {
    await append(
      'conversation-10',
      started('10', ['1', '2'], 'h'),
      message('10', '5', '1', ['1', '2'], 1),
      message('10', '6', '2', ['1', '2'], 2),
    );
    await project();
    const listColumns = async () =>
      (
        await sql<Record<string, unknown>>`select user_id, subject, is_private, context_code,
            last_message_author_id, last_message_preview, last_authored_preview
          from conversation_participants order by user_id`.execute(testDb.db)
      ).rows.map((row) => Object.values(row).map((v) => (v === null ? null : String(v))));
    const projected = await listColumns();
    expect(projected).toEqual([
      ['1', 's10', '1', null, '2', 'm6', 'm5'],
      ['2', 's10', '1', null, '2', 'm6', 'm6'],
    ]);
    // An older read model: the table without the columns (SQLite drops a column only alone).
    for (const [column] of LIST_COLUMNS) {
      await sql`alter table conversation_participants drop column ${sql.ref(column)}`.execute(
        testDb.db,
      );
    }
    await testDb.db.transaction().execute((tx) => conversationsProjection.migrate(tx));
    expect(await listColumns()).toEqual(projected);
    const [view] = await queries.findForUser('1', ['10']);
    expect(view).toMatchObject({ subject: 's10', private: true });
    expect(view!.lastMessage).toEqual({ id: '6', authorId: '2', body: 'm6' });
    // A later start finds them and leaves them alone.
    await sql`update conversation_participants set subject = 'kept'`.execute(testDb.db);
    await testDb.db.transaction().execute((tx) => conversationsProjection.migrate(tx));
    expect((await listColumns())[0]![1]).toBe('kept');
  });

  it('applies the Canvas state rules for authors and recipients', async () => {
    await append(
      'conversation-10',
      started('10', ['1', '2'], 'h'),
      message('10', '5', '1', ['1', '2'], 1, false),
    );
    await project();

    const [annView] = await queries.findForUser('1', ['10']);
    expect(annView).toMatchObject({
      workflowState: 'read',
      lastMessageAt: null,
      lastMessage: null,
      messageCount: 1,
      lastAuthoredAt: t(1),
      private: true,
    });
    expect(annView!.lastAuthoredMessage?.body).toBe('m5');
    const [benView] = await queries.findForUser('2', ['10']);
    expect(benView).toMatchObject({
      workflowState: 'unread',
      lastMessageAt: t(1),
      messageCount: 1,
    });
    expect(benView!.lastMessage?.body).toBe('m5');
    expect(benView!.participants.map((p) => p.name).sort()).toEqual(['Ann', 'Ben']);

    // A reply bumps its author and turns the other side unread again.
    await append('conversation-10', message('10', '6', '2', ['1', '2'], 2));
    await project();
    const [annAfter] = await queries.findForUser('1', ['10']);
    expect(annAfter).toMatchObject({
      workflowState: 'unread',
      lastMessageAt: t(2),
      messageCount: 2,
    });
    const [benAfter] = await queries.findForUser('2', ['10']);
    expect(benAfter).toMatchObject({
      workflowState: 'unread',
      lastMessageAt: t(2),
      lastAuthoredAt: t(2),
    });
  });

  it('delivers a message only to its recipients and flags attachments', async () => {
    await append(
      'conversation-11',
      started('11', ['1', '2', '3']),
      message('11', '7', '1', ['1', '2', '3'], 1),
      message('11', '9', '1', ['1', '3'], 2),
    );
    await project();
    const [ben] = await queries.findForUser('2', ['11']);
    const [cy] = await queries.findForUser('3', ['11']);
    expect(ben).toMatchObject({ messageCount: 1, lastMessageAt: t(1), hasAttachments: false });
    expect(cy).toMatchObject({ messageCount: 2, lastMessageAt: t(2), hasAttachments: true });
  });

  it('lists the inbox newest first with a total, and the sent scope by authored time', async () => {
    await append(
      'conversation-20',
      started('20', ['2', '1']),
      message('20', '20', '2', ['2', '1'], 3, false),
    );
    await append(
      'conversation-21',
      started('21', ['3', '1']),
      message('21', '21', '3', ['3', '1'], 5, false),
    );
    await append(
      'conversation-22',
      started('22', ['2', '1']),
      message('22', '22', '2', ['2', '1'], 4, false),
    );
    await project();
    const page = await queries.list('1', 'inbox', { limit: 2, offset: 0 });
    expect(page.total).toBe(3);
    expect(page.items.map((v) => v.id)).toEqual(['21', '22']);
    const rest = await queries.list('1', 'inbox', { limit: 2, offset: 2 });
    expect(rest.items.map((v) => v.id)).toEqual(['20']);
    const sent = await queries.list('2', 'sent', { limit: 10, offset: 0 });
    expect(sent.items.map((v) => v.id)).toEqual(['22', '20']);
    expect(
      (await queries.list('3', 'inbox', { limit: 10, offset: 0 })).items.map((v) => v.id),
    ).toEqual([]);
    expect((await queries.list('1', 'unread', { limit: 10, offset: 0 })).total).toBe(3);
    expect((await queries.list('1', 'archived', { limit: 10, offset: 0 })).total).toBe(0);
  });

  it('applies participant actions: read state, star, unsubscribe, resubscribe, delete', async () => {
    const view = (type: ParticipantViewEvent['type'], minute: number): ParticipantViewEvent =>
      ({
        type,
        data: { conversationId: '30', userId: '2', at: t(minute) },
      }) as ParticipantViewEvent;
    const get = async () => (await queries.findForUser('2', ['30']))[0]!;
    await append(
      'conversation-30',
      started('30', ['1', '2', '3']),
      message('30', '31', '1', ['1', '2', '3'], 1, false),
    );
    await append(
      'participant-30-2',
      view('ConversationMarkedAsRead', 2),
      view('ConversationStarred', 2),
    );
    await project();
    expect(await get()).toMatchObject({ workflowState: 'read', starred: true });
    expect(
      (await queries.list('2', 'starred', { limit: 10, offset: 0 })).items.map((v) => v.id),
    ).toEqual(['30']);
    expect(await queries.unreadCount('2')).toBe(0);

    // Unsubscribed: a new message neither moves the row nor marks it unread...
    await append('participant-30-2', view('ConversationUnsubscribed', 3));
    await append('conversation-30', message('30', '32', '3', ['1', '2', '3'], 4));
    await project();
    expect(await get()).toMatchObject({
      subscribed: false,
      workflowState: 'read',
      lastMessageAt: t(1),
      messageCount: 2,
    });
    // ...and resubscribing catches up and marks it unread.
    await append('participant-30-2', view('ConversationSubscribed', 5));
    await project();
    expect(await get()).toMatchObject({
      subscribed: true,
      workflowState: 'unread',
      lastMessageAt: t(4),
    });
    expect(await queries.unreadCount('2')).toBe(1);
    expect((await queries.messagesForUser('2', '30')).map((m) => m.id)).toEqual(['32', '31']);

    await append('participant-30-2', view('ConversationArchived', 6));
    await project();
    expect((await queries.list('2', 'archived', { limit: 10, offset: 0 })).total).toBe(1);

    await append('participant-30-2', view('ConversationViewDeleted', 7));
    await project();
    expect(await get()).toMatchObject({
      messageCount: 0,
      lastMessageAt: null,
      starred: false,
      workflowState: 'read',
    });
    expect(await queries.messagesForUser('2', '30')).toEqual([]);
    // Other participants keep their copies.
    expect((await queries.messagesForUser('3', '30')).length).toBe(2);
  });

  it('adds recipients with copies of every message, and removes messages per user', async () => {
    const generated = (
      messageId: string,
      recipients: string[],
      minute: number,
    ): ConversationEvent => {
      const e = message('40', messageId, '1', recipients, minute) as Extract<
        ConversationEvent,
        { type: 'MessageAdded' }
      >;
      return {
        ...e,
        data: { ...e.data, generated: true, body: 'Cy was added to the conversation by Ann' },
      };
    };
    await append(
      'conversation-40',
      started('40', ['1', '2']),
      message('40', '41', '1', ['1', '2'], 1, false),
      message('40', '42', '2', ['1', '2'], 2),
    );
    await append(
      'conversation-40',
      {
        type: 'RecipientsAdded',
        data: { conversationId: '40', addedBy: '1', userIds: ['3'], withHistory: true, at: t(3) },
      },
      generated('43', ['1', '2', '3'], 3),
    );
    await project();
    const [cy] = await queries.findForUser('3', ['40']);
    expect(cy).toMatchObject({ workflowState: 'unread', messageCount: 2, lastMessageAt: t(2) });
    expect(cy!.lastMessage?.id).toBe('42');
    expect((await queries.messagesForUser('3', '40')).map((m) => m.id)).toEqual(['43', '42', '41']);
    // The generated message counted for nobody and moved nothing.
    const [ann] = await queries.findForUser('1', ['40']);
    expect(ann).toMatchObject({ messageCount: 2, lastAuthoredAt: t(1) });
    expect(ann!.lastMessage?.id).toBe('42');

    await append('participant-40-3', {
      type: 'MessagesRemoved',
      data: { conversationId: '40', userId: '3', messageIds: ['42'], at: t(4) },
    });
    await project();
    const [afterOne] = await queries.findForUser('3', ['40']);
    expect(afterOne).toMatchObject({ messageCount: 1, lastMessageAt: t(2) });
    expect(afterOne!.lastMessage?.id).toBe('41');

    // Removing the last human message takes the generated one with it and empties the row.
    await append('participant-40-3', {
      type: 'MessagesRemoved',
      data: { conversationId: '40', userId: '3', messageIds: ['41'], at: t(5) },
    });
    await project();
    const [emptied] = await queries.findForUser('3', ['40']);
    expect(emptied).toMatchObject({ messageCount: 0, lastMessageAt: null, lastMessage: null });
    expect(await queries.messagesForUser('3', '40')).toEqual([]);
    expect((await queries.messagesForUser('2', '40')).length).toBe(3);
  });

  it('keeps per-user tags and filters by tag and by participant, with or/and', async () => {
    const tagged = (
      id: string,
      messageId: string,
      recipients: string[],
      tags: Record<string, string[]>,
    ) => {
      const e = message(id, messageId, recipients[0]!, recipients, 1, false) as Extract<
        ConversationEvent,
        { type: 'MessageAdded' }
      >;
      return { ...e, data: { ...e.data, tags } } as ConversationEvent;
    };
    await append(
      'conversation-50',
      started('50', ['2', '1']),
      tagged('50', '51', ['2', '1'], { '1': ['course_5'], '2': ['course_5'] }),
    );
    await append(
      'conversation-60',
      started('60', ['3', '1']),
      tagged('60', '61', ['3', '1'], { '1': ['group_9', 'course_5'], '3': ['group_9'] }),
    );
    await project();
    const ids = async (values: string[], mode: 'and' | 'or' = 'or') =>
      (await queries.list('1', 'inbox', { limit: 10, offset: 0 }, { values, mode })).items.map(
        (v) => v.id,
      );
    expect(await ids(['course_5'])).toEqual(['60', '50']);
    expect(await ids(['group_9'])).toEqual(['60']);
    expect(await ids(['user_2'])).toEqual(['50']);
    expect(await ids(['user_2', 'user_3'])).toEqual(['60', '50']);
    expect(await ids(['user_2', 'user_3'], 'and')).toEqual([]);
    expect(await ids(['course_5', 'group_9'], 'and')).toEqual(['60']);
    expect(await ids(['course_77'])).toEqual([]);
    expect(
      (
        await queries.list(
          '1',
          'inbox',
          { limit: 1, offset: 0 },
          { values: ['course_5'], mode: 'or' },
        )
      ).total,
    ).toBe(2);
    const [view] = await queries.findForUser('1', ['60']);
    expect(view!.tags).toEqual(['course_5', 'group_9']);
    expect(await queries.allIds('1', 'inbox', { values: ['group_9'], mode: 'or' })).toEqual(['60']);
  });
});
