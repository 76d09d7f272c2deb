import { foldConversation, type ConversationLogEvent } from './conversationAsOf';

const started: ConversationLogEvent = {
  type: 'ConversationStarted',
  data: {
    conversationId: '100',
    authorId: '1',
    participantIds: ['1', '2'],
    subject: 'Plans',
    privateHash: null,
    contextCode: 'course_5',
    createdAt: '2026-01-01T00:00:00.000Z',
  },
};

function message(
  id: string,
  authorId: string,
  at: string,
  extra: object = {},
): ConversationLogEvent {
  return {
    type: 'MessageAdded',
    data: {
      conversationId: '100',
      messageId: id,
      authorId,
      body: `body ${id}`,
      createdAt: at,
      recipientIds: ['1', '2'],
      generated: false,
      attachmentIds: [],
      mediaComment: null,
      forwardedMessageIds: [],
      tags: { '1': ['course_5'], '2': ['course_5'] },
      updateForSender: true,
      ...extra,
    },
  };
}

const view = (type: string, userId: string, extra: object = {}) =>
  ({
    type,
    data: { conversationId: '100', userId, at: '2026-01-01T01:00:00.000Z', ...extra },
  }) as ConversationLogEvent;

describe('foldConversation (the audit fold, the read model rules in memory)', () => {
  it('is nothing before the conversation started', () => {
    expect(foldConversation([message('1', '1', '2026-01-01T00:00:00Z')])).toBeNull();
  });

  it('moves recipients to unread and leaves the author on the create path alone', () => {
    const state = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z', { updateForSender: false }),
    ])!;
    expect(state.participants.get('1')).toMatchObject({
      workflowState: 'read',
      lastMessageAt: null,
      messageCount: 1,
      lastAuthoredMessageId: '500',
    });
    expect(state.participants.get('2')).toMatchObject({
      workflowState: 'unread',
      lastMessageAt: '2026-01-01T00:00:00.000Z',
      lastMessageId: '500',
      tags: new Set(['course_5']),
    });
  });

  it('keeps an unsubscribed row in place, and catches it up on resubscribing', () => {
    const state = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      view('ConversationUnsubscribed', '2'),
      message('501', '1', '2026-01-01T00:05:00.000Z'),
    ])!;
    expect(state.participants.get('2')).toMatchObject({
      workflowState: 'read',
      lastMessageAt: '2026-01-01T00:00:00.000Z',
      messageCount: 2,
    });
    const resubscribed = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      view('ConversationUnsubscribed', '2'),
      message('501', '1', '2026-01-01T00:05:00.000Z'),
      view('ConversationSubscribed', '2'),
    ])!;
    expect(resubscribed.participants.get('2')).toMatchObject({
      workflowState: 'unread',
      lastMessageAt: '2026-01-01T00:05:00.000Z',
    });
  });

  it('recounts after removals and empties the row when only generated messages remain', () => {
    const state = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      message('501', '2', '2026-01-01T00:01:00.000Z'),
      view('MessagesRemoved', '2', { messageIds: ['501'] }),
    ])!;
    expect(state.participants.get('2')).toMatchObject({
      messageCount: 1,
      lastMessageId: '500',
      lastAuthoredMessageId: null,
      lastAuthoredAt: null,
      copies: new Set(['500']),
    });
    const emptied = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      message('502', '1', '2026-01-01T00:02:00.000Z', { generated: true }),
      view('MessagesRemoved', '2', { messageIds: ['500'] }),
    ])!;
    expect(emptied.participants.get('2')).toMatchObject({
      messageCount: 0,
      lastMessageAt: null,
      copies: new Set(),
    });
  });

  it('gives a participant added with history every earlier message, unread', () => {
    const state = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      {
        type: 'RecipientsAdded',
        data: {
          conversationId: '100',
          addedBy: '1',
          userIds: ['3'],
          withHistory: true,
          at: '2026-01-01T00:03:00.000Z',
        },
      },
    ])!;
    expect(state.participants.get('3')).toMatchObject({
      workflowState: 'unread',
      messageCount: 1,
      lastMessageAt: '2026-01-01T00:00:00.000Z',
      copies: new Set(['500']),
    });
  });

  it('clears a deleted view but keeps the subscription', () => {
    const state = foldConversation([
      started,
      message('500', '1', '2026-01-01T00:00:00.000Z'),
      view('ConversationStarred', '2'),
      view('ConversationUnsubscribed', '2'),
      view('ConversationViewDeleted', '2'),
    ])!;
    expect(state.participants.get('2')).toMatchObject({
      starred: false,
      subscribed: false,
      messageCount: 0,
      copies: new Set(),
      tags: new Set(),
    });
  });
});
