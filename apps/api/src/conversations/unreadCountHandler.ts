import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ConversationQueries } from '@missive/read-models';

/** GET /conversations/unread_count. */
export class UnreadCountQuery {
  constructor(readonly userId: string) {}
}

/** Read from the per-user scope totals the projection keeps, not by counting rows. */
@QueryHandler(UnreadCountQuery)
export class UnreadCountHandler implements IQueryHandler<UnreadCountQuery, number> {
  constructor(private readonly conversations: ConversationQueries) {}

  execute({ userId }: UnreadCountQuery): Promise<number> {
    return this.conversations.unreadCount(userId);
  }
}
