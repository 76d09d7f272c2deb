import { at, conversation, start, started } from '../testing/conversationFixtures';
import {
  addMessage,
  addRecipients,
  recipientsAddedText,
  toSentence,
  evolveConversation,
  startConversation,
  type ConversationState,
} from './conversation';
import type { ConversationStarted, MessageAdded } from './conversationEvents';

const firstMessage: MessageAdded = {
  type: 'MessageAdded',
  data: {
    conversationId: '100',
    messageId: '500',
    authorId: '1',
    body: 'First!',
    createdAt: at,
    recipientIds: ['1', '2'],
    generated: false,
    attachmentIds: [],
    mediaComment: null,
    forwardedMessageIds: [],
    updateForSender: false,
  },
};

describe('Conversation: start', () => {
  it('starts with the author first and the first message, which does not update the sender', () => {
    conversation
      .given()
      .when((s) => startConversation(s, start))
      .then([started, firstMessage]);
  });

  it('keeps the context tags of the users the message reaches only', () => {
    const [, message] = startConversation(null, {
      ...start,
      tags: { '1': ['course_5'], '2': ['course_5', 'group_9'], '7': ['course_8'] },
    });
    expect(message.data.tags).toEqual({ '1': ['course_5'], '2': ['course_5', 'group_9'] });
    const [, untagged] = startConversation(null, start);
    expect(untagged.data).not.toHaveProperty('tags');
  });

  it('de-duplicates recipients and keeps a monologue', () => {
    const [s] = startConversation(null, { ...start, recipientIds: ['1', '1'] });
    expect(s.data.participantIds).toEqual(['1']);
    const [g] = startConversation(null, { ...start, recipientIds: ['3', '2', '3', '1'] });
    expect(g.data.participantIds).toEqual(['1', '3', '2']);
  });

  it('needs recipients before anything else', () => {
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, recipientIds: [], body: '' }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'blank' });
  });

  it('refuses a blank body', () => {
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, body: '  \n' }))
      .thenThrows({ kind: 'invalid', attribute: 'body', message: 'blank', type: 'blank' });
  });

  it('refuses more than 100 recipients', () => {
    const many = Array.from({ length: 101 }, (_, i) => String(i + 10));
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, recipientIds: many }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'recipients',
        message: 'too many for group conversation',
        type: 'too_many',
      });
    expect(() =>
      startConversation(null, { ...start, recipientIds: many.slice(0, 100) }),
    ).not.toThrow();
  });

  it('refuses a subject over 255 characters and stores a blank subject as null', () => {
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, subject: 's'.repeat(256) }))
      .thenThrows({ kind: 'invalid', attribute: 'subject', message: 'too long', type: 'too_long' });
    const [s] = startConversation(null, { ...start, subject: '   ' });
    expect(s.data.subject).toBeNull();
  });

  it('cannot start twice', () => {
    conversation
      .given(started)
      .when((s) => startConversation(s, start))
      .thenThrows({
        kind: 'conflict',
        attribute: 'conversation',
        message: 'conversation already exists',
      });
  });
});

describe('Conversation: add message', () => {
  const reply = {
    messageId: '501',
    authorId: '2',
    body: 'Hi back',
    createdAt: at,
    updateForSender: true,
  };

  it('reaches every participant by default', () => {
    conversation
      .given(started, firstMessage)
      .when((s) => addMessage(s, reply))
      .then([
        {
          type: 'MessageAdded',
          data: {
            ...firstMessage.data,
            messageId: '501',
            authorId: '2',
            body: 'Hi back',
            updateForSender: true,
          },
        },
      ]);
  });

  it('reaches only the listed recipients plus the author', () => {
    const group: ConversationStarted = {
      ...started,
      data: { ...started.data, participantIds: ['1', '2', '3'], privateHash: null },
    };
    const [e] = addMessage([group].reduce<ConversationState | null>(evolveConversation, null), {
      ...reply,
      recipientIds: ['3'],
    });
    expect(e!.type === 'MessageAdded' && e!.data.recipientIds).toEqual(['2', '3']);
  });

  it('refuses non-participants, blank bodies and unknown conversations', () => {
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...reply, authorId: '9' }))
      .thenThrows({ kind: 'forbidden', attribute: 'conversation', message: 'not a participant' });
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...reply, body: '' }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'empty_message',
        message: 'Unable to create message without a body',
        type: 'blank',
      });
    conversation
      .given()
      .when((s) => addMessage(s, reply))
      .thenThrows({
        kind: 'not_found',
        attribute: 'conversation',
        message: 'The specified resource does not exist.',
      });
  });

  it('refuses recipients outside a private conversation', () => {
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...reply, recipientIds: ['42'] }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'invalid' });
  });

  it('adds named outsiders silently to a group conversation, then reaches only the named', () => {
    const group: ConversationStarted = {
      ...started,
      data: { ...started.data, participantIds: ['1', '2', '3'], privateHash: null },
    };
    const events = addMessage([group].reduce<ConversationState | null>(evolveConversation, null), {
      ...reply,
      recipientIds: ['42', '3'],
    });
    expect(events.map((e) => e.type)).toEqual(['RecipientsAdded', 'MessageAdded']);
    expect(events[0]!.data).toMatchObject({ userIds: ['42'], withHistory: false });
    expect(events[1]!.type === 'MessageAdded' && events[1]!.data.recipientIds).toEqual([
      '2',
      '3',
      '42',
    ]);
  });

  it('forwards only messages of this conversation', () => {
    conversation
      .given(started, firstMessage)
      .when((s) => addMessage(s, { ...reply, forwardedMessageIds: ['999'] }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'included_messages',
        message: 'not for this conversation',
      });
    const [e] = addMessage(
      [started, firstMessage].reduce<ConversationState | null>(evolveConversation, null),
      { ...reply, forwardedMessageIds: ['500'] },
    );
    expect(e!.type === 'MessageAdded' && e!.data.forwardedMessageIds).toEqual(['500']);
  });

  it('is idempotent on the message id', () => {
    conversation
      .given(started, firstMessage)
      .when((s) => addMessage(s, { ...reply, messageId: '500' }))
      .then([]);
  });
});

describe('Conversation: add recipients', () => {
  const group: ConversationStarted = {
    ...started,
    data: { ...started.data, participantIds: ['1', '2', '3'], privateHash: null },
  };
  const cmd = {
    addedBy: '1',
    userIds: ['4', '2', '5'],
    messageId: '600',
    text: (ids: string[]) => `added ${ids.join('+')}`,
    at,
  };

  it('adds only new users and announces them in a generated message to everyone', () => {
    conversation
      .given(group, firstMessage)
      .when((s) => addRecipients(s, cmd))
      .then([
        {
          type: 'RecipientsAdded',
          data: { conversationId: '100', addedBy: '1', userIds: ['4', '5'], withHistory: true, at },
        },
        {
          type: 'MessageAdded',
          data: {
            ...firstMessage.data,
            messageId: '600',
            body: 'added 4+5',
            recipientIds: ['1', '2', '3', '4', '5'],
            generated: true,
          },
        },
      ]);
  });

  it('refuses private conversations, nobody new, outsiders and the participant limit', () => {
    conversation
      .given(started)
      .when((s) => addRecipients(s, cmd))
      .thenThrows({
        kind: 'invalid',
        attribute: 'recipients',
        message: 'Cannot add participants to a private conversation',
      });
    conversation
      .given()
      .when((s) => addRecipients(s, cmd))
      .thenThrows({
        kind: 'not_found',
        attribute: 'conversation',
        message: 'The specified resource does not exist.',
      });
    conversation
      .given(group)
      .when((s) => addRecipients(s, { ...cmd, userIds: ['2', '3'] }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'none', type: 'empty' });
    conversation
      .given(group)
      .when((s) => addRecipients(s, { ...cmd, addedBy: '9' }))
      .thenThrows({ kind: 'forbidden', attribute: 'conversation', message: 'not a participant' });
    const many = Array.from({ length: 99 }, (_, i) => String(i + 10));
    conversation
      .given(group)
      .when((s) => addRecipients(s, { ...cmd, userIds: many }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'recipients',
        message: 'Too many participants for group conversation',
        type: 'too_many',
      });
    expect(() =>
      addRecipients([group].reduce<ConversationState | null>(evolveConversation, null), {
        ...cmd,
        userIds: many.slice(0, 98),
      }),
    ).not.toThrow();
  });

  it('words the announcement as Canvas does', () => {
    expect(toSentence([])).toBe('');
    expect(toSentence(['Ann'])).toBe('Ann');
    expect(recipientsAddedText(['Ann'], 'Bo')).toBe('Ann was added to the conversation by Bo');
    expect(recipientsAddedText(['Ann', 'Cy'], 'Bo')).toBe(
      'Ann and Cy were added to the conversation by Bo',
    );
    expect(recipientsAddedText(['Ann', 'Cy', 'Di'], 'Bo')).toBe(
      'Ann, Cy, and Di were added to the conversation by Bo',
    );
  });
});

describe('Conversation: folding onto a cached state', () => {
  /** What an aggregate cache does to a state it keeps: the state and its collections frozen. */
  function frozen(state: ConversationState): ConversationState {
    Object.freeze(state.messageIds);
    Object.freeze(state.participantIds);
    return Object.freeze(state);
  }

  it('leaves the cached state as it was and folds into copies', () => {
    const cached = frozen(
      [started, firstMessage].reduce<ConversationState | null>(evolveConversation, null)!,
    );
    const reply: MessageAdded = {
      ...firstMessage,
      data: { ...firstMessage.data, messageId: '501' },
    };
    const joined = {
      type: 'RecipientsAdded' as const,
      data: { conversationId: '100', addedBy: '1', userIds: ['3'], withHistory: false, at },
    };
    const next = [reply, joined].reduce<ConversationState | null>(evolveConversation, cached)!;
    expect([...next.messageIds]).toEqual(['500', '501']);
    expect([...next.participantIds]).toEqual(['1', '2', '3']);
    expect([...cached.messageIds]).toEqual(['500']);
    expect([...cached.participantIds]).toEqual(['1', '2']);
  });
});

describe('Conversation: tags and default recipients', () => {
  it('leaves tags out when none are given, and drops users whose tag list is empty', () => {
    const [, none] = startConversation(null, { ...start, tags: {} });
    expect(none.data).not.toHaveProperty('tags');
    const [, some] = startConversation(null, {
      ...start,
      recipientIds: ['2', '3'],
      tags: { '2': ['course_1'], '3': [] },
    });
    expect(some.data.tags).toEqual({ '2': ['course_1'] });
  });

  it('reaches every participant when the named recipients are an empty list', () => {
    const events = addMessage(evolveConversation(null, started), {
      authorId: '2',
      messageId: '502',
      body: 'to all',
      createdAt: at,
      updateForSender: true,
      recipientIds: [],
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.type === 'MessageAdded' && events[0]!.data.recipientIds).toEqual(['1', '2']);
  });
});
