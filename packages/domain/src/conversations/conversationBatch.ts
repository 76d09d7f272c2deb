import { DomainError } from '../shared/domainError';
import type {
  ConversationBatchEvent,
  ConversationBatchFinished,
  ConversationBatchStarted,
} from './conversationBatchEvents';

export interface ConversationBatchState {
  readonly batchId: string;
  readonly finished: boolean;
}

export function evolveConversationBatch(
  state: ConversationBatchState | null,
  event: ConversationBatchEvent,
): ConversationBatchState | null {
  switch (event.type) {
    case 'ConversationBatchStarted':
      return { batchId: event.data.batchId, finished: false };
    case 'ConversationBatchFinished':
      return state && { ...state, finished: true };
  }
}

export function startConversationBatch(
  state: ConversationBatchState | null,
  data: ConversationBatchStarted['data'],
): ConversationBatchStarted[] {
  if (state) throw new DomainError('conflict', 'batch', 'batch already exists');
  if (data.recipientIds.length === 0) throw new DomainError('invalid', 'recipients', 'blank');
  return [{ type: 'ConversationBatchStarted', data }];
}

/** Finishing twice decides nothing, so a retried job cannot flip a finished batch. */
export function finishConversationBatch(
  state: ConversationBatchState | null,
  cmd: { workflowState: 'sent' | 'error'; conversationIds: string[]; at: string },
): ConversationBatchFinished[] {
  if (!state) throw new DomainError('not_found', 'batch', 'The specified resource does not exist.');
  if (state.finished) return [];
  return [{ type: 'ConversationBatchFinished', data: { batchId: state.batchId, ...cmd } }];
}
