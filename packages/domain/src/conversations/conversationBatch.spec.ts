import { spec } from '../testing/givenWhenThen';
import {
  evolveConversationBatch,
  finishConversationBatch,
  startConversationBatch,
  type ConversationBatchState,
} from './conversationBatch';
import type { ConversationBatchEvent, ConversationBatchStarted } from './conversationBatchEvents';

const at = '2026-01-01T00:00:00.000Z';
const batch = spec<ConversationBatchState, ConversationBatchEvent>(evolveConversationBatch);
const started: ConversationBatchStarted = {
  type: 'ConversationBatchStarted',
  data: {
    batchId: '3',
    userId: '1',
    recipientIds: ['2', '4'],
    group: false,
    subject: null,
    body: 'hi',
    contextCode: null,
    mediaComment: null,
    tags: [],
    createdAt: at,
  },
};

describe('ConversationBatch', () => {
  it('starts once, with recipients', () => {
    batch
      .given()
      .when((s) => startConversationBatch(s, started.data))
      .then([started]);
    batch
      .given(started)
      .when((s) => startConversationBatch(s, started.data))
      .thenThrows({ kind: 'conflict' });
    batch
      .given()
      .when((s) => startConversationBatch(s, { ...started.data, recipientIds: [] }))
      .thenThrows({ attribute: 'recipients' });
  });

  it('finishes once', () => {
    const finished = {
      type: 'ConversationBatchFinished' as const,
      data: { batchId: '3', workflowState: 'sent' as const, conversationIds: ['10', '11'], at },
    };
    batch
      .given(started)
      .when((s) =>
        finishConversationBatch(s, { workflowState: 'sent', conversationIds: ['10', '11'], at }),
      )
      .then([finished]);
    batch
      .given(started, finished)
      .when((s) => finishConversationBatch(s, { workflowState: 'error', conversationIds: [], at }))
      .then([]);
  });
});
