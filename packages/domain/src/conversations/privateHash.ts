import { createHash } from 'node:crypto';

export interface HashContext {
  /** Canvas class name, e.g. `Course` or `Group`. */
  type: string;
  id: string;
}

/**
 * Canvas's private_hash: SHA1 hex of the unique participant ids (sender included), sorted
 * numerically and joined by commas, with `|<Class>_<id>` appended when a context is given.
 */
export function privateHashOf(participantIds: readonly string[], context?: HashContext): string {
  // The Set leaves no two ids equal, so the comparator never needs to answer 0.
  // Stryker disable next-line EqualityOperator: `<=` differs from `<` only on equal ids, and there are none
  const ids = [...new Set(participantIds)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const suffix = context ? `|${context.type}_${context.id}` : '';
  return createHash('sha1')
    .update(ids.join(',') + suffix)
    .digest('hex');
}
