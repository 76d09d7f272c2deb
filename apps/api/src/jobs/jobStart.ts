import type { EventStore, RecordedEvent } from '@missive/event-store';

/**
 * The event that queued a job: the first of its stream, when it has the type the job starts
 * with. Null for a stream that does not exist or starts otherwise: nothing for the job to do.
 */
export async function jobStart(
  store: EventStore,
  stream: string,
  type: string,
): Promise<RecordedEvent | null> {
  for await (const event of store.readStream(stream, { maxCount: 1 })) {
    return event.type === type ? event : null;
  }
  return null;
}
