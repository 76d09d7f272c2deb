import {
  type OutboundEvent,
  type OutboundMessageState,
  evolveOutboundMessage,
  streams,
} from '@missive/domain';
import type { EventStore, StreamRevision } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';

export interface LoadedOutboundMessage {
  readonly state: OutboundMessageState;
  readonly revision: StreamRevision;
  /** What the dispatcher writes next carries the message's correlation and names its cause. */
  readonly ctx: CommandContext;
}

/** Folds an outbound stream, keeping what event metadata needs; null when it does not exist. */
export async function loadOutboundMessage(
  store: EventStore,
  outboundId: string,
): Promise<LoadedOutboundMessage | null> {
  let state: OutboundMessageState | null = null;
  let revision = -1;
  let correlationId: string | undefined;
  let lastEventId = '';
  for await (const recorded of store.readStream(streams.outbound(outboundId))) {
    state = evolveOutboundMessage(state, recorded as unknown as OutboundEvent);
    revision = recorded.revision;
    lastEventId = recorded.id;
    if (correlationId === undefined) {
      const value = recorded.metadata['correlationId'];
      correlationId = typeof value === 'string' && value ? value : recorded.id;
    }
  }
  if (!state) return null;
  return {
    state,
    revision,
    ctx: { actorUserId: null, correlationId: correlationId!, causationId: lastEventId },
  };
}
