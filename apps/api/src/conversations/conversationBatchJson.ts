import type { ConversationBatchRecord } from '@missive/read-models';
import { canvasTime } from '../http/canvasTime';

/** Canvas's ConversationBatch: the message is not written yet, so it has no id. */
export function conversationBatchJson(batch: ConversationBatchRecord) {
  return {
    id: Number(batch.id),
    workflow_state: batch.workflowState,
    completion: batch.workflowState === 'sent' ? 1 : 0,
    recipient_count: batch.recipientCount,
    message: {
      id: null,
      created_at: canvasTime(batch.createdAt),
      body: batch.body,
      author_id: Number(batch.userId),
      generated: false,
      media_comment: null,
      forwarded_messages: [],
      attachments: [],
    },
    tags: batch.tags,
  };
}
