import { compareMessages, type MessageAsOf } from '@missive/domain';
import type { ConversationView, MessageView, UserRecord } from '@missive/read-models';
import type { ParticipantConversationAsOf } from './conversationAsOfQuery';

export function messageViewOf(conversationId: string, m: MessageAsOf): MessageView {
  return {
    id: m.id,
    conversationId,
    authorId: m.authorId,
    body: m.body,
    createdAt: m.createdAt,
    generated: m.generated,
    attachmentIds: m.attachmentIds,
    mediaComment: m.mediaComment,
    forwardedMessageIds: m.forwardedMessageIds,
    participatingUserIds: m.participatingUserIds,
  };
}

/**
 * The read model's shapes for a folded conversation, so that show's own JSON renders it:
 * the viewer's row, and the messages they held, newest first. Names are today's (users).
 */
export function asOfViews(
  { conversation, row }: ParticipantConversationAsOf,
  users: ReadonlyMap<string, UserRecord>,
): { view: ConversationView; messages: MessageView[]; forwarded: Map<string, MessageView> } {
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
  const messages = [...row.copies]
    .map((id) => conversation.messages.get(id))
    .filter((m): m is MessageAsOf => m !== undefined)
    .sort((a, b) => compareMessages(b, a))
    .map((m) => messageViewOf(conversation.id, m));
  // What these messages forward (transitively): in this conversation, so in the fold.
  const forwarded = new Map<string, MessageView>();
  let wanted = messages.flatMap((m) => m.forwardedMessageIds);
  while (wanted.length > 0) {
    const next: string[] = [];
    for (const id of wanted) {
      const m = conversation.messages.get(id);
      if (!m || forwarded.has(id)) continue;
      forwarded.set(id, messageViewOf(conversation.id, m));
      next.push(...m.forwardedMessageIds);
    }
    wanted = next;
  }
  return { view, messages, forwarded };
}
