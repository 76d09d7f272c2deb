import { Inject, Injectable } from '@nestjs/common';
import { streams, type ParticipantViewEvent } from '@missive/domain';
import { comparePositions, type EventStore, type Position } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { toEventData } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

/**
 * Appends a user's view changes, possibly on many conversations (mark_all_as_read), each to that
 * user's `participant-` stream, then waits for the read model to show them. No expected
 * revision: these are one user's toggles with no invariant across them, and the stream exists
 * so they never contend with the conversation's own writes.
 */
@Injectable()
export class ParticipantViewWrites {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  async append(events: readonly ParticipantViewEvent[], ctx: CommandContext): Promise<void> {
    if (events.length === 0) return;
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
