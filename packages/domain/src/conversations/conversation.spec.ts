import { spec } from '../testing/givenWhenThen';
import {
  addMessage,
  addRecipients,
  recipientsAddedText,
  toSentence,
  evolveConversation,
  MAX_BODY_LENGTH,
  MAX_GROUP_CONVERSATION_SIZE,
  MAX_SUBJECT_LENGTH,
  startConversation,
  type ConversationState,
  type StartConversation,
} from './conversation';
import type { ConversationEvent, ConversationStarted, MessageAdded } from './conversationEvents';
import { privateHashOf } from './privateHash';

const conversation = spec<ConversationState, ConversationEvent>(evolveConversation);
const at = '2026-01-01T00:00:00.000Z';

const start: StartConversation = {
  conversationId: '100',
  authorId: '1',
  recipientIds: ['2'],
  subject: 'Hello',
  body: 'First!',
  privateHash: 'hash',
  messageId: '500',
  createdAt: at,
};

const started: ConversationStarted = {
  type: 'ConversationStarted',
  data: {
    conversationId: '100',
    authorId: '1',
    participantIds: ['1', '2'],
    subject: 'Hello',
    privateHash: 'hash',
    contextCode: null,
    createdAt: at,
  },
};

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
      .thenThrows({ attribute: 'subject' });
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
      .thenThrows({ kind: 'forbidden' });
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...reply, body: '' }))
      .thenThrows({
        attribute: 'empty_message',
        message: 'Unable to create message without a body',
      });
    conversation
      .given()
      .when((s) => addMessage(s, reply))
      .thenThrows({ kind: 'not_found' });
  });

  it('refuses recipients outside a private conversation', () => {
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...reply, recipientIds: ['42'] }))
      .thenThrows({ attribute: 'recipients', message: 'invalid' });
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
      .thenThrows({ attribute: 'included_messages', message: 'not for this conversation' });
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

describe('privateHashOf', () => {
  it('is the SHA1 of the numerically sorted unique ids, with the context suffix', () => {
    // Expected values from `printf '2,10' | sha1sum` and `printf '2,10|Course_42' | sha1sum`.
    expect(privateHashOf(['10', '2', '2'])).toBe('d6e44e94cf24b0beffbd777159db028aa0eb0995');
    expect(privateHashOf(['10', '2'], { type: 'Course', id: '42' })).toBe(
      '0bd2498bb5f65c16ae0fd44c492988e444b25a97',
    );
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

describe('Conversation: limits at their boundaries', () => {
  const tooLongBody = {
    kind: 'invalid',
    attribute: 'body',
    message: 'too long',
    type: 'too_long',
  } as const;
  const group: ConversationStarted = {
    ...started,
    data: { ...started.data, participantIds: ['1', '2', '3'], privateHash: null },
  };
  const message = {
    authorId: '1',
    messageId: '501',
    body: 'Reply',
    createdAt: at,
    updateForSender: true,
  };

  it(`takes a body of exactly ${MAX_BODY_LENGTH} characters and refuses one more`, () => {
    const [, first] = startConversation(null, { ...start, body: 'b'.repeat(MAX_BODY_LENGTH) });
    expect(first.data.body).toHaveLength(MAX_BODY_LENGTH);
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, body: 'b'.repeat(MAX_BODY_LENGTH + 1) }))
      .thenThrows(tooLongBody);
    const state = evolveConversation(null, started);
    const [added] = addMessage(state, { ...message, body: 'b'.repeat(MAX_BODY_LENGTH) });
    expect(added!.type === 'MessageAdded' && added!.data.body).toHaveLength(MAX_BODY_LENGTH);
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...message, body: 'b'.repeat(MAX_BODY_LENGTH + 1) }))
      .thenThrows(tooLongBody);
  });

  it(`takes a subject of exactly ${MAX_SUBJECT_LENGTH} characters and refuses one more`, () => {
    const [first] = startConversation(null, { ...start, subject: 's'.repeat(MAX_SUBJECT_LENGTH) });
    expect(first.data.subject).toHaveLength(MAX_SUBJECT_LENGTH);
    conversation
      .given()
      .when((s) => startConversation(s, { ...start, subject: 's'.repeat(MAX_SUBJECT_LENGTH + 1) }))
      .thenThrows({ kind: 'invalid', attribute: 'subject', message: 'too long', type: 'too_long' });
  });

  it('names only participants on a private conversation without growing it', () => {
    const events = addMessage(evolveConversation(null, started), {
      ...message,
      recipientIds: ['2'],
    });
    expect(events.map((e) => e.type)).toEqual(['MessageAdded']);
    expect(events[0]!.type === 'MessageAdded' && events[0]!.data.recipientIds).toEqual(['1', '2']);
  });

  it(`grows a group to ${MAX_GROUP_CONVERSATION_SIZE} plus the author, and no further`, () => {
    // The author and 99 others: one named outsider makes 101, which fits.
    const ninetyNine = Array.from({ length: MAX_GROUP_CONVERSATION_SIZE - 1 }, (_, i) =>
      String(i + 2),
    );
    const almostFull: ConversationStarted = {
      ...group,
      data: { ...group.data, participantIds: ['1', ...ninetyNine] },
    };
    const grown = addMessage(evolveConversation(null, almostFull), {
      ...message,
      recipientIds: ['500'],
    });
    expect(grown[0]).toMatchObject({ type: 'RecipientsAdded', data: { userIds: ['500'] } });
    const full: ConversationStarted = {
      ...group,
      data: { ...group.data, participantIds: ['1', ...ninetyNine, '500'] },
    };
    conversation
      .given(full)
      .when((s) => addMessage(s, { ...message, recipientIds: ['501'] }))
      .thenThrows({
        kind: 'invalid',
        attribute: 'recipients',
        message: 'Too many participants for group conversation',
        type: 'too_many',
      });
  });

  it('refuses an outsider named on a private conversation with the rule it broke', () => {
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...message, recipientIds: ['2', '42'] }))
      .thenThrows({ kind: 'invalid', attribute: 'recipients', message: 'invalid' });
    conversation
      .given(started)
      .when((s) => addMessage(s, { ...message, authorId: '9' }))
      .thenThrows({ kind: 'forbidden', attribute: 'conversation', message: 'not a participant' });
    conversation
      .given()
      .when((s) => addMessage(s, message))
      .thenThrows({
        kind: 'not_found',
        attribute: 'conversation',
        message: 'The specified resource does not exist.',
      });
  });
});

describe('privateHashOf and participant order', () => {
  it('gives the same hash whatever order the participants come in', () => {
    const orders = [
      ['3', '10', '2', '25'],
      ['25', '10', '3', '2'],
      ['2', '3', '10', '25'],
      ['10', '25', '2', '3', '2'],
    ];
    const hashes = orders.map((ids) => privateHashOf(ids));
    expect(new Set(hashes).size).toBe(1);
    // Numeric order, not string order: 2,3,10,25 (`printf '2,3,10,25' | sha1sum`).
    expect(hashes[0]).toBe('57f279862dc737600a812d901d7c86725b342512');
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
