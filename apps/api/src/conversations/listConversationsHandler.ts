import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import {
  ConversationQueries,
  type ConversationFilter,
  type ConversationScope,
  type ConversationView,
  type Page,
} from '@missive/read-models';
import type { AudienceContexts } from './audienceContexts';
import { ConversationReader } from './conversationReader';

/** GET /conversations: one page of the user's rows in a scope. */
export class ListConversationsQuery {
  constructor(
    readonly userId: string,
    readonly scope: ConversationScope,
    readonly page: number,
    readonly perPage: number,
    readonly filter: ConversationFilter | undefined,
    /** include_all_conversation_ids: every id of the scope besides the page. */
    readonly withAllIds: boolean,
  ) {}
}

export interface ConversationsPage extends Page<ConversationView> {
  audienceContexts: Map<string, AudienceContexts>;
  /** `context_name` by context code. */
  contextNames: Map<string, string | null>;
  allIds?: string[];
}

@QueryHandler(ListConversationsQuery)
export class ListConversationsHandler implements IQueryHandler<
  ListConversationsQuery,
  ConversationsPage
> {
  constructor(
    private readonly conversations: ConversationQueries,
    private readonly reader: ConversationReader,
  ) {}

  async execute(query: ListConversationsQuery): Promise<ConversationsPage> {
    const { userId, scope, page, perPage, filter } = query;
    const result = await this.conversations.list(
      userId,
      scope,
      { limit: perPage, offset: (page - 1) * perPage },
      filter,
    );
    const audienceContexts = await this.reader.contextsOf(result.items);
    const contextNames = await this.reader.contextNames(result.items.map((v) => v.contextCode));
    if (!query.withAllIds) return { ...result, audienceContexts, contextNames };
    const allIds = await this.conversations.allIds(userId, scope, filter);
    return { ...result, audienceContexts, contextNames, allIds };
  }
}

const SCOPES = new Set<ConversationScope>(['unread', 'archived', 'starred', 'sent']);

/** Canvas rewrites a missing or unknown scope to the inbox. */
export function scopeOf(raw: unknown): ConversationScope {
  return typeof raw === 'string' && SCOPES.has(raw as ConversationScope)
    ? (raw as ConversationScope)
    : 'inbox';
}
