import { type EventStore, type Position, UnknownPositionError } from '@missive/event-store';
import { CanvasError } from '../http/canvasError';

/**
 * Refuses, before the event stream starts, a resume position this log does not have (a token
 * from another deployment or store, an edited one, one past the end). Once the 200 and the
 * stream's headers are out, a refusal can no longer be a 400, and an EventSource client would
 * only reconnect with the same token, so the store is asked first: every adapter checks the
 * start of a read before reading, and this one reads at most one event.
 */
export async function checkResumePosition(
  store: EventStore,
  from: Position | 'start',
): Promise<void> {
  if (from === 'start') return;
  const events = store.readAll({ fromPosition: from, maxCount: 1 })[Symbol.asyncIterator]();
  try {
    await events.next();
  } catch (error) {
    if (!(error instanceof UnknownPositionError)) throw error;
    throw new CanvasError(400, {
      errors: [{ message: 'Last-Event-ID or after is not the position of an event in this log' }],
    });
  } finally {
    await events.return?.();
  }
}
