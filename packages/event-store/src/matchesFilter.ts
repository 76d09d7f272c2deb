import type { EventFilter } from './eventStore';

/** Client-side form of `EventFilter`, for adapters whose backend cannot filter everything. */
export function matchesFilter(
  filter: EventFilter | undefined,
  streamId: string,
  eventType: string,
): boolean {
  if (!filter) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes && !streamPrefixes.some((prefix) => streamId.startsWith(prefix))) {
    return false;
  }
  if (eventTypes && !eventTypes.includes(eventType)) return false;
  return true;
}
