/**
 * Adds to a collection inside an aggregate's state while folding its stream. Copying the set
 * on every event made loading quadratic (a 5,000-message conversation cost seconds), so the
 * collection is extended in place: a state is folded linearly and never reused after it has
 * been evolved, which is how every loader and test uses it.
 *
 * The exception is a state held by an aggregate cache (@missive/event-store's AggregateCache):
 * it is shared by later loads, which fold newer events onto it, so the cache freezes it. A
 * frozen collection is therefore copied once and the copy grown, leaving the cached state as
 * it was whatever happens to the fold, the decision or the append that follow.
 */
export function grownSet<T>(set: ReadonlySet<T>, ...items: T[]): ReadonlySet<T> {
  const mutable = Object.isFrozen(set) ? new Set(set) : (set as Set<T>);
  for (const item of items) mutable.add(item);
  return mutable;
}

export function grownMap<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const mutable = Object.isFrozen(map) ? new Map(map) : (map as Map<K, V>);
  mutable.set(key, value);
  return mutable;
}
