import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  ConversationQueries,
  type ConversationFilter,
  type ConversationScope,
  type ConversationView,
  type Page,
} from '@missive/read-models';

export class ListConversationsQuery {
  constructor(
    readonly userId: string,
    readonly scope: ConversationScope,
    readonly page: number,
    readonly perPage: number,
    readonly filter?: ConversationFilter,
  ) {}
}

@QueryHandler(ListConversationsQuery)
export class ListConversationsHandler implements IQueryHandler<
  ListConversationsQuery,
  Page<ConversationView>
> {
  constructor(private readonly conversations: ConversationQueries) {}

  execute({
    userId,
    scope,
    page,
    perPage,
    filter,
  }: ListConversationsQuery): Promise<Page<ConversationView>> {
    return this.conversations.list(
      userId,
      scope,
      { limit: perPage, offset: (page - 1) * perPage },
      filter,
    );
  }
}

const SCOPES = new Set<ConversationScope>(['unread', 'archived', 'starred', 'sent']);

/** Canvas rewrites a missing or unknown scope to the inbox. */
export function scopeOf(raw: unknown): ConversationScope {
  return typeof raw === 'string' && SCOPES.has(raw as ConversationScope)
    ? (raw as ConversationScope)
    : 'inbox';
}
