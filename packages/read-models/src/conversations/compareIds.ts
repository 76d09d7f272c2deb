/**
 * Orders canonical decimal ids (no leading zeros) numerically: rows sorted by it reach the
 * database in primary-key order.
 */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
