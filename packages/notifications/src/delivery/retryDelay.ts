/** Past this the backoff stops growing: a day is long enough to outlast any outage we retry. */
const MAX_RETRY_DELAY_MS = 24 * 60 * 60 * 1000;

/**
 * Exponential backoff after the `attempt`-th failure (1-based): base, 2×base, 4×base, ...
 * With the default base of a minute, the five attempts Canvas makes span about a quarter hour.
 */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
}
