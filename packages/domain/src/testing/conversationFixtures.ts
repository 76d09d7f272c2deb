import {
  evolveConversation,
  type ConversationState,
  type StartConversation,
} from '../conversations/conversation';
import type { ConversationEvent, ConversationStarted } from '../conversations/conversationEvents';
import { spec } from './givenWhenThen';

/** The conversation the conversation specs start from: author 1 writes to 2. */
export const conversation = spec<ConversationState, ConversationEvent>(evolveConversation);
export const at = '2026-01-01T00:00:00.000Z';

export const start: StartConversation = {
  conversationId: '100',
  authorId: '1',
  recipientIds: ['2'],
  subject: 'Hello',
  body: 'First!',
  privateHash: 'hash',
  messageId: '500',
  createdAt: at,
};

export const started: ConversationStarted = {
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
