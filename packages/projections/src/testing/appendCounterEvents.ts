import { randomUUID } from 'node:crypto';
import type { AppendResult, EventData, EventStore } from '@missive/event-store';
import { COUNTER_CATEGORY, type CounterEventData } from './counterProjection';

export interface AppendCounterEventsOptions {
  readonly events: number;
  readonly streams?: number;
  readonly random: () => number;
}

/**
 * Appends `events` events in small per-stream appends: mostly counted ones, plus events of
 * another type in the counter category and events of another category, which the
 * projection's filter must skip.
 */
export async function appendCounterEvents(
  store: EventStore,
  options: AppendCounterEventsOptions,
): Promise<AppendResult> {
  const { random } = options;
  const streams = options.streams ?? 40;
  let remaining = options.events;
  let last: AppendResult | undefined;
  while (remaining > 0) {
    const count = Math.min(remaining, 1 + Math.floor(random() * 12));
    const roll = random();
    const stream =
      roll < 0.1
        ? `other-${Math.floor(random() * 5)}`
        : `${COUNTER_CATEGORY}${Math.floor(random() * streams)}`;
    const events: EventData<CounterEventData>[] = [];
    for (let i = 0; i < count; i++) {
      const kind = random();
      events.push({
        id: randomUUID(),
        type: kind < 0.7 ? 'Incremented' : kind < 0.9 ? 'Decremented' : 'Renamed',
        data: { by: 1 + Math.floor(random() * 100) },
      });
    }
    last = await store.append(stream, events);
    remaining -= count;
  }
  if (!last) throw new RangeError('appendCounterEvents needs at least one event');
  return last;
}
