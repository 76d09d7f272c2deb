import { compareMessages, type MessageAsOf } from '@missive/domain';
import type { ConversationView, MessageView, UserRecord } from '@missive/read-models';
import type { ParticipantConversationAsOf } from './conversationAsOfQuery';

export function messageViewOf(conversationId: string, m: MessageAsOf): MessageView {
  return { ...m, conversationId };
}

/**
 * The read model's shapes for a folded conversation, so that show's own JSON renders it:
 * the viewer's row, and the messages they held, newest first. Names are today's (users).
 */
export function asOfViews(
  { conversation, row }: ParticipantConversationAsOf,
  users: ReadonlyMap<string, UserRecord>,
): { view: ConversationView; messages: MessageView[]; all: Map<string, MessageView> } {
  const preview = (id: string | null, authorId?: string) => {
    const m = id === null ? undefined : conversation.messages.get(id);
    return m ? { id: m.id, authorId: authorId ?? m.authorId, body: m.body } : null;
  };
  const view: ConversationView = {
    id: conversation.id,
    userId: row.userId,
    subject: conversation.subject,
    workflowState: row.workflowState,
    lastMessageAt: row.lastMessageAt,
    lastMessage: row.lastMessageAt === null ? null : preview(row.lastMessageId),
    messageCount: row.messageCount,
    lastAuthoredAt: row.lastAuthoredAt,
    lastAuthoredMessage: preview(row.lastAuthoredMessageId, row.userId),
    subscribed: row.subscribed,
    starred: row.starred,
    private: conversation.private,
    hasAttachments: row.hasAttachments,
    hasMediaObjects: row.hasMediaObjects,
    contextCode: conversation.contextCode,
    // As the read model does: a participant not (yet) among the users is left out.
    participants: [...conversation.participants.values()].flatMap((p) => {
      const user = users.get(p.userId);
      return user
        ? [
            {
              id: p.userId,
              name: user.name,
              shortName: user.shortName,
              lastAuthoredAt: p.lastAuthoredAt,
            },
          ]
        : [];
    }),
    tags: [...row.tags].sort(),
  };
  const all = new Map(
    [...conversation.messages.values()].map((m) => [m.id, messageViewOf(conversation.id, m)]),
  );
  const messages = [...row.copies]
    .map((id) => conversation.messages.get(id))
    .filter((m): m is MessageAsOf => m !== undefined)
    .sort((a, b) => compareMessages(b, a))
    .map((m) => all.get(m.id)!);
  return { view, messages, all };
}
