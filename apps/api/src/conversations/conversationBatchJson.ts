import type { ConversationBatchRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas's ConversationBatch, its message the template the batch sends. */
export function conversationBatchJson(batch: ConversationBatchRecord) {
  return {
    id: Number(batch.id),
    workflow_state: batch.workflowState,
    completion: batch.workflowState === 'sent' ? 1 : 0,
    recipient_count: batch.recipientCount,
    message: {
      id: batch.rootMessageId === null ? null : Number(batch.rootMessageId),
      created_at: canvasTime(batch.createdAt),
      body: batch.body,
      author_id: Number(batch.userId),
      generated: false,
      media_comment: null,
      forwarded_messages: [],
      attachments: [],
      // The batch's template message belongs to no conversation: nobody holds a copy of it.
      participating_user_ids: [],
    },
    tags: batch.tags,
  };
}
