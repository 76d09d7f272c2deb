import { at, conversation, start, started } from '../testing/conversationFixtures';
import {
  addMessage,
  evolveConversation,
  MAX_BODY_LENGTH,
  MAX_GROUP_CONVERSATION_SIZE,
  MAX_SUBJECT_LENGTH,
  startConversation,
} from './conversation';
import type { ConversationStarted } from './conversationEvents';

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
