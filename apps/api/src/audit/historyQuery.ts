import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { streams } from '@missive/domain';
import type { EventStore, Position, RecordedEvent } from '@missive/event-store';
import { ConversationQueries } from '@missive/read-models';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Which streams make up a history: exact stream ids, and stream-id prefixes ending in `-`. */
interface HistoryStreams {
  exact: Set<string>;
  prefixes: string[];
}

/**
 * A page of audit history: the events of these streams after `after`, oldest first. The store
 * filters by prefix (`conversation-12` also matches `conversation-123`), so events of other
 * streams are dropped here and reading goes on until the page is full or the log ends.
 */
export class HistoryQuery {
  constructor(
    readonly scope: { conversationId: string } | { userId: string },
    readonly after: Position | 'start',
    readonly limit: number,
  ) {}
}

export interface HistoryPage {
  events: RecordedEvent[];
  /** Whether more events follow the page. */
  more: boolean;
  /** False when the conversation or user is unknown to the log / the read model. */
  found: boolean;
}

@QueryHandler(HistoryQuery)
export class HistoryHandler implements IQueryHandler<HistoryQuery, HistoryPage> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly conversations: ConversationQueries,
  ) {}

  async execute({ scope, after, limit }: HistoryQuery): Promise<HistoryPage> {
    const wanted = await this.streamsOf(scope);
    if (!wanted) return { events: [], more: false, found: false };
    const matches = (id: string) =>
      wanted.exact.has(id) || wanted.prefixes.some((p) => id.startsWith(p));
    const events: RecordedEvent[] = [];
    let from = after;
    if (from === 'start' && 'conversationId' in scope) {
      // Nothing of a conversation precedes its first event: start the log walk there.
      for await (const first of this.store.readStream(streams.conversation(scope.conversationId), {
        maxCount: 1,
      })) {
        events.push(first);
        from = first.position;
      }
      if (events.length === 0) return { events: [], more: false, found: false };
    }
    for (;;) {
      let read = 0;
      const asked = limit + 1 - events.length;
      for await (const e of this.store.readAll({
        fromPosition: from,
        filter: { streamPrefixes: [...wanted.exact, ...wanted.prefixes] },
        maxCount: asked,
      })) {
        read++;
        from = e.position;
        if (matches(e.streamId)) events.push(e);
        if (events.length > limit) break;
      }
      // A full page plus one, or the end of the log.
      if (events.length > limit || read < asked) break;
    }
    const found = 'conversationId' in scope ? after !== 'start' || events.length > 0 : true;
    return { events: events.slice(0, limit), more: events.length > limit, found };
  }

  private async streamsOf(scope: HistoryQuery['scope']): Promise<HistoryStreams | undefined> {
    if ('conversationId' in scope) {
      return {
        exact: new Set([streams.conversation(scope.conversationId)]),
        prefixes: [`${streams.participant(scope.conversationId, '')}`],
      };
    }
    // The user's conversations, and in them only their own view changes.
    const ids = await this.conversations.participatedIds(scope.userId);
    return {
      exact: new Set(
        ids.flatMap((id) => [streams.conversation(id), streams.participant(id, scope.userId)]),
      ),
      prefixes: [],
    };
  }
}
