import type { DomainEvent } from '../shared/domainEvent';

/**
 * One participant's own view of a conversation, on `participant-<conversationId>-<userId>`
 * streams so that reading, starring or archiving never contends with new messages.
 */
interface ViewChange {
  conversationId: string;
  userId: string;
  at: string;
}

export type ConversationMarkedAsRead = DomainEvent<'ConversationMarkedAsRead', ViewChange>;
export type ConversationMarkedAsUnread = DomainEvent<'ConversationMarkedAsUnread', ViewChange>;
export type ConversationArchived = DomainEvent<'ConversationArchived', ViewChange>;
export type ConversationStarred = DomainEvent<'ConversationStarred', ViewChange>;
export type ConversationUnstarred = DomainEvent<'ConversationUnstarred', ViewChange>;
export type ConversationSubscribed = DomainEvent<'ConversationSubscribed', ViewChange>;
export type ConversationUnsubscribed = DomainEvent<'ConversationUnsubscribed', ViewChange>;
/** DELETE /conversations/:id: this user's copies of every message are gone. */
export type ConversationViewDeleted = DomainEvent<'ConversationViewDeleted', ViewChange>;

/** remove_messages: this user's copies of these messages are gone. */
export type MessagesRemoved = DomainEvent<'MessagesRemoved', ViewChange & { messageIds: string[] }>;

export type ParticipantViewEvent =
  | ConversationMarkedAsRead
  | ConversationMarkedAsUnread
  | ConversationArchived
  | ConversationStarred
  | ConversationUnstarred
  | ConversationSubscribed
  | ConversationUnsubscribed
  | ConversationViewDeleted
  | MessagesRemoved;
