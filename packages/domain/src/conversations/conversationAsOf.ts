import type { ConversationEvent, MediaComment } from './conversationEvents';
import type { ParticipantViewEvent } from './participantEvents';

/** A message of the conversation as the log recorded it. */
export interface MessageAsOf {
  id: string;
  authorId: string;
  body: string;
  createdAt: string;
  generated: boolean;
  attachmentIds: string[];
  mediaComment: MediaComment | null;
  forwardedMessageIds: string[];
  participatingUserIds: string[];
}

/** One participant's row: what the conversations read model keeps for them, folded in memory. */
export interface ParticipantAsOf {
  userId: string;
  workflowState: 'read' | 'unread' | 'archived';
  starred: boolean;
  subscribed: boolean;
  lastMessageAt: string | null;
  lastMessageId: string | null;
  messageCount: number;
  lastAuthoredAt: string | null;
  lastAuthoredMessageId: string | null;
  hasAttachments: boolean;
  hasMediaObjects: boolean;
  /** Ids of the messages this participant holds a copy of. */
  copies: Set<string>;
  /** Context tags (`course_5`), as the message events gave them. */
  tags: Set<string>;
}

export interface ConversationAsOf {
  id: string;
  subject: string | null;
  private: boolean;
  contextCode: string | null;
  messages: Map<string, MessageAsOf>;
  /** In the order they joined. */
  participants: Map<string, ParticipantAsOf>;
}

export type ConversationLogEvent = ConversationEvent | ParticipantViewEvent;

/**
 * The conversation as it stood after these events (conversation and participant streams, in
 * log order): the same rules the conversations read model applies, kept in memory, so that
 * an audit can answer "what did this participant see then" from the log alone.
 */
export function foldConversation(events: Iterable<ConversationLogEvent>): ConversationAsOf | null {
  let state: ConversationAsOf | null = null;
  for (const e of events) state = evolveConversationAsOf(state, e);
  return state;
}

export function evolveConversationAsOf(
  state: ConversationAsOf | null,
  e: ConversationLogEvent,
): ConversationAsOf | null {
  if (e.type === 'ConversationStarted') {
    const { data } = e;
    const participants = new Map<string, ParticipantAsOf>();
    for (const userId of data.participantIds) participants.set(userId, newRow(userId, 'read'));
    return {
      id: data.conversationId,
      subject: data.subject ?? null,
      private: data.privateHash != null,
      contextCode: data.contextCode ?? null,
      messages: new Map(),
      participants,
    };
  }
  if (!state) return state;
  switch (e.type) {
    case 'MessageAdded':
      messageAdded(state, e.data);
      return state;
    case 'RecipientsAdded':
      for (const userId of e.data.userIds) {
        if (state.participants.has(userId)) continue;
        const row = newRow(userId, 'unread');
        state.participants.set(userId, row);
        if (!e.data.withHistory) continue;
        for (const id of state.messages.keys()) row.copies.add(id);
        recompute(state, row);
        row.lastMessageAt = newestCopyAt(state, row, true);
      }
      return state;
    default:
      viewChanged(state, e);
      return state;
  }
}

function newRow(userId: string, workflowState: ParticipantAsOf['workflowState']): ParticipantAsOf {
  return {
    userId,
    workflowState,
    starred: false,
    subscribed: true,
    lastMessageAt: null,
    lastMessageId: null,
    messageCount: 0,
    lastAuthoredAt: null,
    lastAuthoredMessageId: null,
    hasAttachments: false,
    hasMediaObjects: false,
    copies: new Set(),
    tags: new Set(),
  };
}

function messageAdded(
  state: ConversationAsOf,
  data: Extract<ConversationEvent, { type: 'MessageAdded' }>['data'],
) {
  const message: MessageAsOf = {
    id: data.messageId,
    authorId: data.authorId,
    body: data.body,
    createdAt: data.createdAt,
    generated: data.generated,
    attachmentIds: data.attachmentIds,
    mediaComment: data.mediaComment,
    forwardedMessageIds: data.forwardedMessageIds,
    participatingUserIds: data.recipientIds,
  };
  state.messages.set(message.id, message);
  for (const userId of data.recipientIds) state.participants.get(userId)?.copies.add(message.id);
  for (const [userId, tags] of Object.entries(data.tags ?? {})) {
    const row = state.participants.get(userId);
    for (const tag of tags) row?.tags.add(tag);
  }
  if (!data.generated) {
    const at = data.createdAt;
    const common = (row: ParticipantAsOf) => {
      row.messageCount += 1;
      row.lastMessageId = message.id;
      if (message.attachmentIds.length > 0) row.hasAttachments = true;
      if (message.mediaComment) row.hasMediaObjects = true;
    };
    const author = state.participants.get(data.authorId);
    if (author) {
      common(author);
      author.lastAuthoredAt = at;
      author.lastAuthoredMessageId = message.id;
      if (data.updateForSender) {
        author.lastMessageAt = at;
        if (author.workflowState === 'archived') author.workflowState = 'read';
      }
    }
    for (const userId of data.recipientIds) {
      const row = userId === data.authorId ? undefined : state.participants.get(userId);
      if (!row) continue;
      const moves = row.lastMessageAt === null || row.subscribed;
      common(row);
      if (moves) {
        row.lastMessageAt = at;
        row.workflowState = 'unread';
      }
    }
  }
  // included_messages: recipients lacking a forwarded message get a copy of it.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with nothing forwarded, the recount gives what the counting above gave (copies and counters move together)
  if (data.forwardedMessageIds.length > 0) {
    for (const userId of data.recipientIds) {
      const row = state.participants.get(userId);
      if (!row) continue;
      for (const id of data.forwardedMessageIds) if (state.messages.has(id)) row.copies.add(id);
      const { messageCount, hasAttachments, hasMediaObjects } = counters(state, row);
      Object.assign(row, { messageCount, hasAttachments, hasMediaObjects });
    }
  }
}

function viewChanged(state: ConversationAsOf, e: ParticipantViewEvent): void {
  const row = state.participants.get(e.data.userId);
  if (!row) return;
  switch (e.type) {
    case 'ConversationMarkedAsRead':
      row.workflowState = 'read';
      return;
    case 'ConversationMarkedAsUnread':
      row.workflowState = 'unread';
      return;
    case 'ConversationArchived':
      row.workflowState = 'archived';
      return;
    case 'ConversationStarred':
      row.starred = true;
      return;
    case 'ConversationUnstarred':
      row.starred = false;
      return;
    case 'ConversationUnsubscribed':
      row.subscribed = false;
      if (row.workflowState === 'unread') row.workflowState = 'read';
      return;
    case 'ConversationSubscribed': {
      const newest = newestCopyAt(state, row, false);
      row.subscribed = true;
      if (row.lastMessageAt !== null && newest !== null && newest > row.lastMessageAt) {
        row.workflowState = 'unread';
      }
      if (row.lastMessageAt !== null) row.lastMessageAt = newest;
      return;
    }
    case 'MessagesRemoved': {
      for (const id of e.data.messageIds) row.copies.delete(id);
      const humanLeft = [...row.copies].some((id) => state.messages.get(id)?.generated === false);
      // Only generated messages left: they go too, and the row empties as DELETE would.
      if (!humanLeft) row.copies.clear();
      recompute(state, row);
      if (!humanLeft) row.lastMessageAt = null;
      return;
    }
    case 'ConversationViewDeleted':
      Object.assign(row, newRow(row.userId, 'read'), { subscribed: row.subscribed });
      return;
  }
}

/** The newest copy's time (human copies only, or any). */
function newestCopyAt(state: ConversationAsOf, row: ParticipantAsOf, humanOnly: boolean) {
  let newest: string | null = null;
  for (const id of row.copies) {
    const m = state.messages.get(id);
    if (!m || (humanOnly && m.generated)) continue;
    // Stryker disable next-line EqualityOperator: on equal times `>=` keeps the same time
    if (newest === null || m.createdAt > newest) newest = m.createdAt;
  }
  return newest;
}

function counters(state: ConversationAsOf, row: ParticipantAsOf) {
  const human = [...row.copies]
    .map((id) => state.messages.get(id))
    .filter((m): m is MessageAsOf => m !== undefined && !m.generated);
  return {
    human,
    messageCount: human.length,
    hasAttachments: human.some((m) => m.attachmentIds.length > 0),
    hasMediaObjects: human.some((m) => m.mediaComment !== null),
  };
}

/** Counters and previews recomputed from the copies the participant still holds. */
function recompute(state: ConversationAsOf, row: ParticipantAsOf): void {
  const { human, messageCount, hasAttachments, hasMediaObjects } = counters(state, row);
  const newestFirst = human.sort((a, b) => compareMessages(b, a));
  const authored = newestFirst.filter((m) => m.authorId === row.userId);
  row.messageCount = messageCount;
  row.hasAttachments = hasAttachments;
  row.hasMediaObjects = hasMediaObjects;
  row.lastMessageId = newestFirst[0]?.id ?? null;
  row.lastAuthoredMessageId = authored[0]?.id ?? null;
  row.lastAuthoredAt = authored[0]?.createdAt ?? null;
}

/** Oldest first: by time, then by id (ids grow with time). */
export function compareMessages(a: MessageAsOf, b: MessageAsOf): number {
  // Stryker disable next-line EqualityOperator: the times differ here, so `<=` answers as `<`
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0;
}
