import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streams, type ParticipantViewEvent } from '@missive/domain';
import { comparePositions, type EventStore, type Position } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { toEventData } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

/** Per-user view changes, possibly on many conversations (mark_all_as_read). */
export class ChangeParticipantViewsCommand {
  constructor(
    readonly events: readonly ParticipantViewEvent[],
    readonly ctx: CommandContext,
  ) {}
}

/**
 * Appends each conversation's changes to that user's `participant-` stream. No expected
 * revision: these are one user's toggles with no invariant across them, and the stream exists
 * so they never contend with the conversation's own writes.
 */
@CommandHandler(ChangeParticipantViewsCommand)
export class ChangeParticipantViewsHandler implements ICommandHandler<
  ChangeParticipantViewsCommand,
  void
> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async execute({ events, ctx }: ChangeParticipantViewsCommand): Promise<void> {
    const byStream = new Map<string, ParticipantViewEvent[]>();
    for (const e of events) {
      const stream = streams.participant(e.data.conversationId, e.data.userId);
      byStream.set(stream, [...(byStream.get(stream) ?? []), e]);
    }
    const now = new Date();
    const results = await Promise.all(
      [...byStream].map(([stream, list]) =>
        this.store.append(
          stream,
          list.map((e) => toEventData(e, ctx, now)),
        ),
      ),
    );
    const last = results
      .map((r) => r.position)
      .reduce<Position | null>((a, b) => (!a || comparePositions(b, a) > 0 ? b : a), null);
    await this.readYourWrites.waitFor('conversations', last);
  }
}
