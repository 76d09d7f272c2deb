import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { foldConversation, type ConversationAsOf, type ParticipantAsOf } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { conversationLogUntil } from './conversationLog';

/** One participant's conversation as the log had it at `asOf`. */
export class ConversationAsOfQuery {
  constructor(
    readonly conversationId: string,
    readonly userId: string,
    readonly asOf: Date,
  ) {}
}

export interface ParticipantConversationAsOf {
  conversation: ConversationAsOf;
  row: ParticipantAsOf;
}

/** Folds the log (never the read model); undefined before the conversation or the participant. */
@QueryHandler(ConversationAsOfQuery)
export class ConversationAsOfHandler implements IQueryHandler<
  ConversationAsOfQuery,
  ParticipantConversationAsOf | undefined
> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ conversationId, userId, asOf }: ConversationAsOfQuery) {
    const events = await conversationLogUntil(this.store, conversationId, userId, asOf);
    const conversation = foldConversation(events);
    const row = conversation?.participants.get(userId);
    return conversation && row ? { conversation, row } : undefined;
  }
}
