import {
  type ChannelBounceReset,
  type ChannelBounced,
  type ChannelEvent,
  type ChannelState,
  DomainError,
  bounceChannel,
  evolveChannel,
  resetChannelBounces,
  streams,
  derivedEventId,
} from '@missive/domain';
import {
  type EventStore,
  type RecordedEvent,
  WrongExpectedVersionError,
} from '@missive/event-store';
import { causedEventData } from '../shared/causedEventData';

/** A bounce to count on a channel, or a successful send that clears its count. */
export interface ChannelFeedback {
  readonly kind: 'bounce' | 'reset';
  readonly channelId: string;
  readonly cause: RecordedEvent;
  readonly at: string;
  /** A bounce's reason as the provider gave it. */
  readonly summary?: string;
  /** Set when the bounce was to another channel with the same address (Canvas's bounce_for_path). */
  readonly via?: string;
}

const MAX_ATTEMPTS = 25;

export type FeedbackOutcome = 'written' | 'already' | 'nothing' | 'no_channel';

/**
 * Writes the channel event for one cause, at most once ever: its event id derives from the
 * cause, and before deciding, the channel's stream is searched for that id or for any event the
 * cause already caused. Appending at the revision just read keeps the count exact when the API
 * (a revival) writes to the same channel meanwhile.
 */
export async function applyChannelFeedback(
  store: EventStore,
  feedback: ChannelFeedback,
  now: () => Date,
): Promise<FeedbackOutcome> {
  const stream = streams.channel(feedback.channelId);
  // One cause may now write to several channels: each gets its own id (the bounced channel
  // keeps the id it always had, so replays of older logs still find it).
  const id = derivedEventId(
    feedback.cause.id,
    feedback.via === undefined ? 'channel-feedback' : `channel-feedback:${feedback.channelId}`,
  );
  for (let attempt = 0; ; attempt++) {
    let state: ChannelState | null = null;
    let revision = -1;
    let already = false;
    for await (const recorded of store.readStream(stream)) {
      state = evolveChannel(state, recorded as unknown as ChannelEvent);
      revision = recorded.revision;
      if (recorded.id === id || recorded.metadata['causationId'] === feedback.cause.id) {
        already = true;
      }
    }
    if (already) return 'already';
    let events: (ChannelBounced | ChannelBounceReset)[];
    try {
      events =
        feedback.kind === 'bounce'
          ? bounceChannel(state, { bouncedAt: feedback.at, summary: feedback.summary ?? null })
          : resetChannelBounces(state, { resetAt: feedback.at });
    } catch (error) {
      // The channel was removed (or never existed): there is nothing left to count against.
      if (error instanceof DomainError) return 'no_channel';
      throw error;
    }
    if (events.length === 0) return 'nothing';
    try {
      await store.append(
        stream,
        events.map((e) => causedEventData(e, feedback.cause, now(), id)),
        { expectedRevision: revision < 0 ? 'no_stream' : revision },
      );
      return 'written';
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
