import { DomainError } from '../shared/domainError';
import type { ParticipantViewEvent } from './participantEvents';

export type ViewWorkflowState = 'read' | 'unread' | 'archived';

export interface UpdateParticipantView {
  conversationId: string;
  userId: string;
  /** Private conversations stay subscribed: Canvas ignores `subscribed` for them. */
  private: boolean;
  workflowState?: string;
  starred?: boolean;
  subscribed?: boolean;
  at: string;
}

const STATE_EVENT = {
  read: 'ConversationMarkedAsRead',
  unread: 'ConversationMarkedAsUnread',
  archived: 'ConversationArchived',
} as const;

/**
 * PUT /conversations/:id. Subscription comes first so that an explicit
 * workflow_state in the same request wins over its side effects (unsubscribing marks read).
 * The events are unconditional: the effective state also depends on messages that arrive on
 * the conversation stream, which this view does not see, and applying one twice is harmless.
 */
export function updateParticipantView(cmd: UpdateParticipantView): ParticipantViewEvent[] {
  if (cmd.workflowState !== undefined && !(cmd.workflowState in STATE_EVENT)) {
    throw new DomainError('invalid', 'workflow_state', 'invalid', 'invalid');
  }
  const change = { conversationId: cmd.conversationId, userId: cmd.userId, at: cmd.at };
  const events: ParticipantViewEvent[] = [];
  if (cmd.subscribed !== undefined && !cmd.private) {
    events.push({
      type: cmd.subscribed ? 'ConversationSubscribed' : 'ConversationUnsubscribed',
      data: change,
    });
  }
  if (cmd.workflowState !== undefined) {
    events.push({ type: STATE_EVENT[cmd.workflowState as ViewWorkflowState], data: change });
  }
  if (cmd.starred !== undefined) {
    events.push({
      type: cmd.starred ? 'ConversationStarred' : 'ConversationUnstarred',
      data: change,
    });
  }
  return events;
}

export function deleteParticipantView(cmd: {
  conversationId: string;
  userId: string;
  at: string;
}): ParticipantViewEvent[] {
  return [{ type: 'ConversationViewDeleted', data: { ...cmd } }];
}

export function removeMessages(cmd: {
  conversationId: string;
  userId: string;
  messageIds: string[];
  at: string;
}): ParticipantViewEvent[] {
  const messageIds = [...new Set(cmd.messageIds)];
  if (messageIds.length === 0) return [];
  return [{ type: 'MessagesRemoved', data: { ...cmd, messageIds } }];
}
