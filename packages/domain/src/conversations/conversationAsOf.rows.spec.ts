import {
  compareMessages,
  foldConversation,
  type ConversationLogEvent,
  type MessageAsOf,
  type ParticipantAsOf,
} from './conversationAsOf';
import type { ConversationStarted } from './conversationEvents';

// Whole rows are compared, so that a counter or flag the fold forgets to set (or sets where
// the read model would not) shows up, not only the fields a scenario is about.

const T = (minute: number) => `2026-01-01T00:0${minute}:00.000Z`;

const started: ConversationStarted = {
  type: 'ConversationStarted',
  data: {
    conversationId: '100',
    authorId: '1',
    participantIds: ['1', '2'],
    subject: 'Plans',
    privateHash: null,
    contextCode: 'course_5',
    createdAt: T(0),
  },
};

function message(id: string, authorId: string, minute: number, extra: object = {}) {
  return {
    type: 'MessageAdded',
    data: {
      conversationId: '100',
      messageId: id,
      authorId,
      body: `body ${id}`,
      createdAt: T(minute),
      recipientIds: ['1', '2'],
      generated: false,
      attachmentIds: [],
      mediaComment: null,
      forwardedMessageIds: [],
      updateForSender: true,
      ...extra,
    },
  } as ConversationLogEvent;
}

const view = (type: string, userId: string, extra: object = {}) =>
  ({ type, data: { conversationId: '100', userId, at: T(9), ...extra } }) as ConversationLogEvent;

const joined = (userIds: string[], withHistory: boolean): ConversationLogEvent => ({
  type: 'RecipientsAdded',
  data: { conversationId: '100', addedBy: '1', userIds, withHistory, at: T(5) },
});

type Row = Omit<ParticipantAsOf, 'copies' | 'tags'> & { copies: string[]; tags: string[] };

function rowOf(events: ConversationLogEvent[], userId: string): Row {
  const row = foldConversation(events)!.participants.get(userId)!;
  return { ...row, copies: [...row.copies], tags: [...row.tags] };
}

const fresh = (userId: string, over: Partial<Row> = {}): Row => ({
  userId,
  workflowState: 'read',
  starred: false,
  subscribed: true,
  lastMessageAt: null,
  lastMessageId: null,
  messageCount: 0,
  lastAuthoredAt: null,
  lastAuthoredMessageId: null,
  hasAttachments: false,
  hasMediaObjects: false,
  copies: [],
  tags: [],
  ...over,
});

const media = { mediaId: 'm1', mediaType: 'video' };

describe('foldConversation: the conversation and its rows', () => {
  it("keeps the conversation's subject, privacy and context, and a read row per participant", () => {
    const state = foldConversation([started])!;
    expect(state).toMatchObject({
      id: '100',
      subject: 'Plans',
      private: false,
      contextCode: 'course_5',
    });
    expect([...state.participants.keys()]).toEqual(['1', '2']);
    expect(rowOf([started], '2')).toEqual(fresh('2'));
    const privateOne: ConversationStarted = {
      type: 'ConversationStarted',
      data: { ...started.data, subject: null, privateHash: 'abc', contextCode: null },
    };
    expect(foldConversation([privateOne])).toMatchObject({
      subject: null,
      private: true,
      contextCode: null,
    });
  });

  it('flags attachments and media comments only when a message has them', () => {
    expect(rowOf([started, message('500', '1', 0)], '2')).toEqual(
      fresh('2', {
        workflowState: 'unread',
        lastMessageAt: T(0),
        lastMessageId: '500',
        messageCount: 1,
        copies: ['500'],
      }),
    );
    const events = [
      started,
      message('500', '1', 0, { attachmentIds: ['a1'] }),
      message('501', '1', 1, { mediaComment: media }),
      message('502', '1', 2, { generated: true }),
    ];
    // The generated message is copied but neither counted nor moves the row.
    expect(rowOf(events, '2')).toEqual(
      fresh('2', {
        workflowState: 'unread',
        lastMessageAt: T(1),
        lastMessageId: '501',
        messageCount: 2,
        hasAttachments: true,
        hasMediaObjects: true,
        copies: ['500', '501', '502'],
      }),
    );
  });

  it("brings the author's archived row back to read on a reply, and leaves an unread one unread", () => {
    const replied = {
      lastMessageAt: T(1),
      lastMessageId: '501',
      messageCount: 2,
      lastAuthoredAt: T(1),
      lastAuthoredMessageId: '501',
      copies: ['500', '501'],
    };
    expect(
      rowOf(
        [
          started,
          message('500', '2', 0),
          view('ConversationArchived', '1'),
          message('501', '1', 1),
        ],
        '1',
      ),
    ).toEqual(fresh('1', { ...replied, workflowState: 'read' }));
    expect(rowOf([started, message('500', '2', 0), message('501', '1', 1)], '1')).toEqual(
      fresh('1', { ...replied, workflowState: 'unread' }),
    );
  });

  it('moves an unsubscribed row that has no message yet', () => {
    expect(
      rowOf([started, view('ConversationUnsubscribed', '2'), message('500', '1', 0)], '2'),
    ).toMatchObject({ subscribed: false, workflowState: 'unread', lastMessageAt: T(0) });
  });

  it('leaves a participant added again alone, and adds one without history empty', () => {
    const events = [
      started,
      message('500', '1', 0),
      view('ConversationMarkedAsRead', '2'),
      joined(['2', '3'], false),
    ];
    expect(rowOf(events, '2')).toMatchObject({ workflowState: 'read', copies: ['500'] });
    expect(rowOf(events, '3')).toEqual(fresh('3', { workflowState: 'unread' }));
  });

  it('dates a row added with history by its newest human message', () => {
    const events = [
      started,
      message('500', '1', 0),
      message('502', '1', 2, { generated: true }),
      joined(['3'], true),
    ];
    expect(rowOf(events, '3')).toEqual(
      fresh('3', {
        workflowState: 'unread',
        lastMessageAt: T(0),
        lastMessageId: '500',
        messageCount: 1,
        copies: ['500', '502'],
      }),
    );
  });

  it('gives recipients a copy of each forwarded message they lack, and recounts', () => {
    const events = [
      started,
      message('500', '1', 0, { attachmentIds: ['a1'] }),
      joined(['3'], false),
      message('503', '1', 3, {
        recipientIds: ['1', '2', '3'],
        forwardedMessageIds: ['500', '404'],
      }),
    ];
    expect(rowOf(events, '3')).toEqual(
      fresh('3', {
        workflowState: 'unread',
        lastMessageAt: T(3),
        lastMessageId: '503',
        messageCount: 2,
        hasAttachments: true,
        copies: ['503', '500'],
      }),
    );
    expect(rowOf(events, '2')).toMatchObject({ messageCount: 2, copies: ['500', '503'] });
    // Resubscribing dates the row by its newest copy, whatever order the copies came in.
    const resubscribed = [
      ...events,
      view('ConversationMarkedAsRead', '3'),
      view('ConversationUnsubscribed', '3'),
      view('ConversationSubscribed', '3'),
    ];
    expect(rowOf(resubscribed, '3')).toMatchObject({
      workflowState: 'read',
      subscribed: true,
      lastMessageAt: T(3),
    });
  });
});

describe("foldConversation: a participant's own view", () => {
  const base = [started, message('500', '1', 0)];
  const stateAfter = (...views: ConversationLogEvent[]) => rowOf([...base, ...views], '2');

  it('follows read, unread, archived, starred and unstarred', () => {
    expect(stateAfter(view('ConversationMarkedAsRead', '2')).workflowState).toBe('read');
    expect(
      stateAfter(view('ConversationMarkedAsRead', '2'), view('ConversationMarkedAsUnread', '2'))
        .workflowState,
    ).toBe('unread');
    expect(stateAfter(view('ConversationArchived', '2')).workflowState).toBe('archived');
    expect(stateAfter(view('ConversationStarred', '2')).starred).toBe(true);
    expect(
      stateAfter(view('ConversationStarred', '2'), view('ConversationUnstarred', '2')).starred,
    ).toBe(false);
    // Another participant's view changes nothing here.
    expect(stateAfter(view('ConversationStarred', '1'))).toEqual(stateAfter());
  });

  it('reads an unread row on unsubscribing, and leaves an archived one archived', () => {
    expect(stateAfter(view('ConversationUnsubscribed', '2')).workflowState).toBe('read');
    expect(
      stateAfter(view('ConversationArchived', '2'), view('ConversationUnsubscribed', '2'))
        .workflowState,
    ).toBe('archived');
  });

  it('on resubscribing, is unread only if something newer arrived, generated messages included', () => {
    const quiet = stateAfter(
      view('ConversationMarkedAsRead', '2'),
      view('ConversationUnsubscribed', '2'),
      view('ConversationSubscribed', '2'),
    );
    expect(quiet).toMatchObject({ workflowState: 'read', subscribed: true, lastMessageAt: T(0) });
    const missed = rowOf(
      [
        ...base,
        view('ConversationUnsubscribed', '2'),
        message('502', '1', 2, { generated: true }),
        view('ConversationSubscribed', '2'),
      ],
      '2',
    );
    expect(missed).toMatchObject({ workflowState: 'unread', lastMessageAt: T(2) });
    // The author of a new conversation has no date yet, and resubscribing gives it none.
    const author = rowOf(
      [
        started,
        message('500', '1', 0, { updateForSender: false }),
        view('ConversationUnsubscribed', '1'),
        view('ConversationSubscribed', '1'),
      ],
      '1',
    );
    expect(author).toMatchObject({ lastMessageAt: null, subscribed: true });
  });

  it('recounts what is left after a removal, keeping the row dated while a human message remains', () => {
    const events = [
      started,
      message('500', '1', 0, { attachmentIds: ['a1'] }),
      message('501', '2', 1, { mediaComment: media }),
      message('502', '1', 2, { generated: true }),
      message('503', '1', 3),
    ];
    const removed = (...messageIds: string[]) =>
      rowOf([...events, view('MessagesRemoved', '2', { messageIds })], '2');
    expect(removed('503')).toEqual(
      fresh('2', {
        workflowState: 'unread',
        lastMessageAt: T(3),
        lastMessageId: '501',
        messageCount: 2,
        lastAuthoredAt: T(1),
        lastAuthoredMessageId: '501',
        hasAttachments: true,
        hasMediaObjects: true,
        copies: ['500', '501', '502'],
      }),
    );
    expect(removed('500')).toMatchObject({ hasAttachments: false, hasMediaObjects: true });
    expect(removed('501')).toMatchObject({
      hasAttachments: true,
      hasMediaObjects: false,
      lastAuthoredMessageId: null,
    });
  });
});

describe('compareMessages', () => {
  const at = (id: string, minute: number) => ({ id, createdAt: T(minute) }) as MessageAsOf;

  it('orders by time, then by id as a number', () => {
    expect(compareMessages(at('9', 0), at('8', 1))).toBe(-1);
    expect(compareMessages(at('8', 1), at('9', 0))).toBe(1);
    expect(compareMessages(at('9', 0), at('10', 0))).toBe(-1);
    expect(compareMessages(at('10', 0), at('9', 0))).toBe(1);
    expect(compareMessages(at('9', 0), at('9', 0))).toBe(0);
  });
});
