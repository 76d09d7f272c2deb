import {
  evolveConversationBatch,
  type ConversationBatchState,
} from '../conversations/conversationBatch';
import type {
  ConversationBatchAdvanced,
  ConversationBatchClaimed,
  ConversationBatchEvent,
  ConversationBatchStarted,
  ConversationBatchStepPlanned,
} from '../conversations/conversationBatchEvents';
import { spec } from './givenWhenThen';

/** Batch 3 from user 1 to 2 and 4, and the events of its first step, for the batch specs. */
export const batch = spec<ConversationBatchState, ConversationBatchEvent>(evolveConversationBatch);
export const at = '2026-01-01T00:00:00.000Z';
export const now = new Date(at);

export const leasedElsewhere = {
  kind: 'conflict',
  attribute: 'job',
  message: 'the job is leased to another runner',
} as const;

export const started: ConversationBatchStarted = {
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

/** Started by a version that runs batches as resumable jobs. */
export const resumable: ConversationBatchStarted = {
  ...started,
  data: { ...started.data, resumable: true },
};

export const claimed: ConversationBatchClaimed = {
  type: 'ConversationBatchClaimed',
  data: { batchId: '3', runner: 'a', attempt: 1, leaseUntil: '2026-01-01T00:01:00.000Z', at },
};

export const planned: ConversationBatchStepPlanned = {
  type: 'ConversationBatchStepPlanned',
  data: { batchId: '3', offset: 0, ids: [{ conversationId: '10', messageId: '20' }] },
};

export const advanced: ConversationBatchAdvanced = {
  type: 'ConversationBatchAdvanced',
  data: { batchId: '3', offset: 0, conversationIds: ['10'], at },
};
