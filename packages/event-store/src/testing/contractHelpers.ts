import { randomUUID } from 'node:crypto';
import type { EventData, RecordedEvent, Subscription } from '../eventStore';

/** Helpers shared by the contract suites and adapters' own tests. */
export function event(type = 'Happened', data: unknown = { at: 1 }): EventData {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { correlationId: randomUUID(), actorUserId: '7', schemaVersion: 1 },
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The first `count` events of a subscription; leaving the loop closes the subscription. */
export async function take(subscription: Subscription, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  if (count === 0) return events;
  for await (const event of subscription) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** Polls a condition; the test's own timeout bounds it (no timing is asserted). */
export async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
