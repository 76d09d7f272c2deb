import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ConversationView } from '@missive/read-models';
import type { CreatedConversations } from './createConversationHandler';
import { ConversationReader, type ConversationDetail } from './conversationReader';

/** What POST /conversations answers: the author's rows of what the create wrote. */
export class CreatedConversationsQuery {
  constructor(
    readonly userId: string,
    readonly created: CreatedConversations,
  ) {}
}

/**
 * A batch answers its rows with their audience contexts, newest first as Canvas orders one (visible_last_authored_at,
 * last_message_at, id, all descending); a single create answers with its message and contexts.
 */
@QueryHandler(CreatedConversationsQuery)
export class CreatedConversationsHandler implements IQueryHandler<
  CreatedConversationsQuery,
  ConversationDetail[]
> {
  constructor(private readonly reader: ConversationReader) {}

  async execute({ userId, created }: CreatedConversationsQuery): Promise<ConversationDetail[]> {
    const views = await this.reader.conversations.findForUser(userId, created.conversationIds);
    const contexts = await this.reader.contextsOf(views);
    // No participant contexts here (Canvas's batch answer), but the audience's.
    if (created.batch) {
      return views.sort(newestFirst).map((view) => ({
        view,
        audienceContexts: contexts.get(view.id),
      }));
    }
    const messages = await this.reader.conversations.messages([...created.messageIds.values()]);
    return Promise.all(
      views.map(async (view) => ({
        view,
        messages,
        audienceContexts: contexts.get(view.id),
        participantContexts: await this.reader.participantContexts(view),
      })),
    );
  }
}

function newestFirst(a: ConversationView, b: ConversationView): number {
  return (
    cmp(b.lastAuthoredAt, a.lastAuthoredAt) ||
    cmp(b.lastMessageAt, a.lastMessageAt) ||
    Number(b.id) - Number(a.id)
  );
}

function cmp(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
