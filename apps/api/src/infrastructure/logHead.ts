import type { EventStore, Position } from '@missive/event-store';

/**
 * Where the log ends now. A write a command finds already done (by an attempt that died before
 * answering) has no position of its own; the answer waits for the log as it stands, which
 * holds it.
 */
export async function logHead(store: EventStore): Promise<Position | null> {
  const head = await store.headPosition();
  return head === 'start' ? null : head;
}
