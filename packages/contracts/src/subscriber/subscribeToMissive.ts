import type { EventStore, Position, RecordedEvent } from '@missive/event-store';
import type { MissiveEventData, MissiveEventType } from '../catalogue/missiveEvent';
import { catalogueEntry } from '../catalogue/eventCatalogue';
import { upcast } from '../catalogue/upcasters';

/** What a handler learns about the event besides its payload. */
export interface EventContext {
  readonly eventId: string;
  readonly streamId: string;
  readonly position: Position;
  readonly metadata: Record<string, unknown>;
}

export type MissiveHandlers = {
  readonly [T in MissiveEventType]?: (
    data: MissiveEventData<T>,
    context: EventContext,
  ) => void | Promise<void>;
};

export interface SubscribeToMissiveOptions {
  readonly store: EventStore;
  /** Resume strictly after this position (what `onCheckpoint` last reported); default: start. */
  readonly from?: Position | 'start';
  readonly handlers: MissiveHandlers;
  /**
   * Called after each handled event with its position; persist it to resume later. An event
   * whose handler threw is not checkpointed: the subscription stops with that error.
   */
  readonly onCheckpoint?: (position: Position) => void | Promise<void>;
}

export interface MissiveSubscription {
  /** Settles when the subscription stops: after `close()`, or rejected by a handler's error. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/**
 * A typed subscription to Missive's public events for services in other codebases: catch-up
 * then live, through any EventStore adapter (EventStoreDB in production). Only the types with
 * a handler are requested from the store, and payloads arrive upcast to the current version.
 */
export function subscribeToMissive(options: SubscribeToMissiveOptions): MissiveSubscription {
  const types = Object.keys(options.handlers).filter(
    (type) => catalogueEntry(type)?.visibility === 'public',
  );
  const unknown = Object.keys(options.handlers).filter((type) => !types.includes(type));
  if (unknown.length > 0) {
    throw new Error(`not public Missive events: ${unknown.join(', ')}`);
  }
  const subscription = options.store.subscribe({
    fromPosition: options.from ?? 'start',
    filter: { eventTypes: types },
  });
  const handle = async (event: RecordedEvent) => {
    const handler = options.handlers[event.type as MissiveEventType] as
      ((data: unknown, context: EventContext) => void | Promise<void>) | undefined;
    if (!handler) return;
    const stored = event.metadata['schemaVersion'];
    const { data } = upcast(
      event.type,
      typeof stored === 'number' ? stored : undefined,
      event.data,
    );
    await handler(data, {
      eventId: event.id,
      streamId: event.streamId,
      position: event.position,
      metadata: event.metadata,
    });
    await options.onCheckpoint?.(event.position);
  };
  const done = (async () => {
    try {
      for await (const event of subscription) await handle(event);
    } finally {
      await subscription.close();
    }
  })();
  return { done, close: () => subscription.close() };
}
