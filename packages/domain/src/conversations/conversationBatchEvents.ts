import type { DomainEvent } from '../shared/domainEvent';

/** POST /conversations with mode=async on the batch path. */
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
    /**
     * The id of the batch's own message, the template each recipient's copy is made from
     * (its root message): what GET /conversations/batches shows as the
     * message's id. Absent in batches started before it was recorded.
     */
    rootMessageId?: string;
    /**
     * Set by writers whose job runner fixes ids before writing. A batch without it was sent
     * with fresh ids by a process that is gone: resending would message its first recipients
     * twice, so a runner ends it in `error` instead.
     */
    resumable?: boolean;
  }
>;

/** A job runner took (or renewed) the lease on the batch's sending. */
export type ConversationBatchClaimed = DomainEvent<
  'ConversationBatchClaimed',
  { batchId: string; runner: string; attempt: number; leaseUntil: string; at: string }
>;

/**
 * The ids the next recipients' conversations and messages take, fixed before anything is
 * written for them: a step repeated after a crash writes under the same ids, so it finds what
 * the interrupted run wrote instead of sending again.
 */
export type ConversationBatchStepPlanned = DomainEvent<
  'ConversationBatchStepPlanned',
  {
    batchId: string;
    /** Index in `recipientIds` of the step's first recipient. */
    offset: number;
    /** One per recipient of the step; a private conversation reused keeps its own id. */
    ids: { conversationId: string; messageId: string }[];
  }
>;

/** A step's recipients have their message: the conversations it went to, in order. */
export type ConversationBatchAdvanced = DomainEvent<
  'ConversationBatchAdvanced',
  { batchId: string; offset: number; conversationIds: string[]; at: string }
>;

export type ConversationBatchFinished = DomainEvent<
  'ConversationBatchFinished',
  { batchId: string; workflowState: 'sent' | 'error'; conversationIds: string[]; at: string }
>;

export type ConversationBatchEvent =
  | ConversationBatchStarted
  | ConversationBatchClaimed
  | ConversationBatchStepPlanned
  | ConversationBatchAdvanced
  | ConversationBatchFinished;
