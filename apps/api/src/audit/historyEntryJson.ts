import { encodePosition, type RecordedEvent } from '@missive/event-store';

type Data = Record<string, unknown>;

const ids = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The participant an event concerns, where there is exactly one. */
function concernedUser(type: string, data: Data): string | null {
  if (typeof data['userId'] === 'string') return data['userId'];
  if (type === 'RecipientsAdded' && ids(data['userIds']).length === 1)
    return ids(data['userIds'])[0]!;
  return null;
}

/** A one-line account of the change: ids and counts, never a subject or a message body. */
function summaryOf(type: string, data: Data): string {
  switch (type) {
    case 'ConversationStarted':
      return `conversation started by user ${data['authorId']} with ${count(ids(data['participantIds']).length, 'participant')}${data['contextCode'] ? ` in ${data['contextCode']}` : ''}`;
    case 'MessageAdded':
      return `${data['generated'] ? 'generated message' : 'message'} ${data['messageId']} by user ${data['authorId']} to ${count(ids(data['recipientIds']).length, 'recipient')}${ids(data['forwardedMessageIds']).length > 0 ? `, forwarding ${ids(data['forwardedMessageIds']).join(', ')}` : ''}`;
    case 'RecipientsAdded':
      return `user${ids(data['userIds']).length === 1 ? '' : 's'} ${ids(data['userIds']).join(', ')} added by user ${data['addedBy']}${data['withHistory'] ? ' with earlier messages' : ''}`;
    case 'ConversationMarkedAsRead':
      return 'marked as read';
    case 'ConversationMarkedAsUnread':
      return 'marked as unread';
    case 'ConversationArchived':
      return 'archived';
    case 'ConversationStarred':
      return 'starred';
    case 'ConversationUnstarred':
      return 'unstarred';
    case 'ConversationSubscribed':
      return 'subscribed';
    case 'ConversationUnsubscribed':
      return 'unsubscribed';
    case 'MessagesRemoved':
      return `messages ${ids(data['messageIds']).join(', ')} removed from their view`;
    case 'ConversationViewDeleted':
      return 'conversation deleted from their view';
    default:
      return type;
  }
}

/** One audit history entry: where in the log, what, when, who acted, whom it concerns. */
export function historyEntryJson(e: RecordedEvent) {
  const data = (e.data ?? {}) as Data;
  const actor = e.metadata['actorUserId'];
  const user = concernedUser(e.type, data);
  return {
    position: encodePosition(e.position),
    event_type: e.type,
    created_at: e.created.toISOString(),
    conversation_id:
      typeof data['conversationId'] === 'string' ? Number(data['conversationId']) : null,
    actor_id: typeof actor === 'string' && actor !== '' ? Number(actor) : null,
    user_id: user === null ? null : Number(user),
    summary: summaryOf(e.type, data),
  };
}
