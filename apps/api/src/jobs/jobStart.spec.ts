import type { EventStore, ReadStreamOptions, RecordedEvent } from '@missive/event-store';
import { jobStart } from './jobStart';

function recorded(type: string, revision: number): RecordedEvent {
  const position = { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) };
  return {
    id: `event-${revision}`,
    type,
    streamId: 'progress-1',
    revision,
    position,
    data: {},
    metadata: {},
    created: new Date(0),
  };
}

/** Only `readStream`, which is all `jobStart` reads. */
function storeWith(events: RecordedEvent[], reads: (ReadStreamOptions | undefined)[]): EventStore {
  return {
    readStream: (_stream: string, options?: ReadStreamOptions) => {
      reads.push(options);
      return (async function* () {
        yield* events.slice(0, options?.maxCount ?? events.length);
      })();
    },
  } as unknown as EventStore;
}

describe('jobStart', () => {
  it('answers the first event of the stream, reading no further, when it has the type', async () => {
    const reads: (ReadStreamOptions | undefined)[] = [];
    const first = recorded('ProgressQueued', 0);
    const store = storeWith([first, recorded('ProgressAdvanced', 1)], reads);

    expect(await jobStart(store, 'progress-1', 'ProgressQueued')).toBe(first);
    expect(reads).toEqual([{ maxCount: 1 }]);
  });

  it('answers null for a stream that starts with another type, or has no events', async () => {
    const other = storeWith([recorded('ProgressAdvanced', 0)], []);

    expect(await jobStart(other, 'progress-1', 'ProgressQueued')).toBeNull();
    expect(await jobStart(storeWith([], []), 'progress-1', 'ProgressQueued')).toBeNull();
  });
});
