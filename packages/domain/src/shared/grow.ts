import { OverlaySet } from './overlaySet';

/**
 * Adds to a collection inside an aggregate's state while folding its stream. Copying the set
 * on every event made loading quadratic (a 5,000-message conversation cost seconds), so the
 * collection is extended in place: a state is folded linearly and never reused after it has
 * been evolved, which is how every loader and test uses it.
 *
 * The exception is a state held by an aggregate cache (@missive/event-store's AggregateCache):
 * it is shared by later loads, which fold newer events onto it, so the cache freezes it. A
 * frozen collection is therefore never grown in place: a small set is copied, a large one is
 * overlaid (`OverlaySet`), leaving the cached state as it was whatever happens to the fold,
 * the decision or the append that follow.
 */
export function grownSet<T>(set: ReadonlySet<T>, ...items: T[]): ReadonlySet<T> {
  const mutable = Object.isFrozen(set) ? unshared(set) : set;
  if (mutable instanceof OverlaySet) {
    for (const item of items) if (!mutable.base.has(item)) mutable.added.add(item);
  } else {
    for (const item of items) (mutable as Set<T>).add(item);
  }
  return mutable;
}

/** Below this size a frozen set is simply copied; above it, overlaid. */
const OVERLAY_FROM = 64;

/**
 * A growable stand-in for a frozen set that costs at most its recent additions to make: an
 * overlay on it, or, once the additions are an eighth of the base, one flat copy that the
 * cache freezes as the next base.
 */
function unshared<T>(set: ReadonlySet<T>): ReadonlySet<T> {
  if (set instanceof OverlaySet) {
    if (set.added.size * 8 < set.base.size) return new OverlaySet(set.base, new Set(set.added));
    return new Set(set);
  }
  return set.size < OVERLAY_FROM ? new Set(set) : new OverlaySet(set, new Set<T>());
}

export function grownMap<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const mutable = Object.isFrozen(map) ? new Map(map) : (map as Map<K, V>);
  mutable.set(key, value);
  return mutable;
}
