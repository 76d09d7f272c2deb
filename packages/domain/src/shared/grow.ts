/**
 * Adds to a collection inside an aggregate's state while folding its stream. Copying the set
 * on every event made loading quadratic (a 5,000-message conversation cost seconds), so the
 * collection is extended in place: a state is folded linearly and never reused after it has
 * been evolved, which is how every loader and test uses it.
 */
export function grownSet<T>(set: ReadonlySet<T>, ...items: T[]): ReadonlySet<T> {
  const mutable = set as Set<T>;
  for (const item of items) mutable.add(item);
  return mutable;
}

export function grownMap<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  (map as Map<K, V>).set(key, value);
  return map;
}
