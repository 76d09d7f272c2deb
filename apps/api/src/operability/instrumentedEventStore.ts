import {
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventData,
  type EventStore,
} from '@missive/event-store';
import type { Metrics } from './metrics';

/** Counts appends by outcome around any adapter; everything else passes straight through. */
export function instrumentEventStore(store: EventStore, metrics: Metrics): EventStore {
  return {
    async append(
      stream: string,
      events: readonly EventData[],
      options?: AppendOptions,
    ): Promise<AppendResult> {
      try {
        const result = await store.append(stream, events, options);
        metrics.appends.inc({ outcome: 'written' });
        metrics.appendedEvents.inc(events.length);
        return result;
      } catch (err) {
        metrics.appends.inc({
          outcome: err instanceof WrongExpectedVersionError ? 'conflict' : 'error',
        });
        throw err;
      }
    },
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    ...(store.setStreamMaxAge && {
      setStreamMaxAge: (stream: string, seconds: number) => store.setStreamMaxAge!(stream, seconds),
    }),
    ...(store.onAppended && {
      onAppended: (listener: () => void) => store.onAppended!(listener),
    }),
    close: () => store.close(),
  };
}
