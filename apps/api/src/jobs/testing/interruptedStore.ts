import type { AppendOptions, EventData, EventStore } from '@missive/event-store';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * The store as a runner sees it, up to a point: appends to matching streams go through until
 * `limit` of them have, then the next one `onLimit` decides (by default it fails, as if the
 * process died there; a test may instead hold it to interleave a second runner).
 */
export function interruptedStore(
  store: EventStore,
  options: {
    streams: (stream: string) => boolean;
    limit: number;
    onLimit?: () => Promise<void>;
  },
): EventStore & { appended: () => number } {
  let appended = 0;
  let tripped = false;
  const append = async (stream: string, events: readonly EventData[], opts?: AppendOptions) => {
    if (options.streams(stream)) {
      if (appended >= options.limit && !tripped) {
        tripped = true;
        if (!options.onLimit) throw new SimulatedCrash(`crashed before appending to ${stream}`);
        await options.onLimit();
      } else if (tripped && !options.onLimit) {
        throw new SimulatedCrash(`crashed before appending to ${stream}`);
      }
      appended++;
    }
    return store.append(stream, events, opts);
  };
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'append') return append;
      if (key === 'appended') return () => appended;
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  }) as EventStore & { appended: () => number };
}
