/**
 * 32-bit FNV-1a of an event id: the key of the index that finds an id for idempotent
 * re-appends. Part of the storage format (rows written by one process are looked up by
 * another), so it must never change. An index on this small integer instead of the 36-char
 * id keeps each append's random index insert cheap; lookups still compare the full id.
 */
export function eventKey(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
