import type { DomainEvent } from '../shared/domainEvent';

/** POST /conversations with mode=async on the batch path (specs §1.3). */
export type ConversationBatchStarted = DomainEvent<
  'ConversationBatchStarted',
  {
    batchId: string;
    userId: string;
    recipientIds: string[];
    /** One new non-private conversation per recipient (bulk/force_new), else private reuse. */
    group: boolean;
    subject: string | null;
    body: string;
    contextCode: string | null;
    mediaComment: { mediaId: string; mediaType: string } | null;
    tags: string[];
    createdAt: string;
  }
>;

export type ConversationBatchFinished = DomainEvent<
  'ConversationBatchFinished',
  { batchId: string; workflowState: 'sent' | 'error'; conversationIds: string[]; at: string }
>;

export type ConversationBatchEvent = ConversationBatchStarted | ConversationBatchFinished;
