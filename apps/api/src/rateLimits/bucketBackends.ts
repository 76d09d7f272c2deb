/** What a Comms take answers: admitted, or refused with the whole seconds until a token is back. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Where Canvas's leaky buckets live: this process, the cluster's primary or Redis. One call
 * leaks the bucket up to now, adds `amount` (negative to refund) within 0..maximum, and answers
 * the level, atomically, so that every process charging the same client sees one bucket.
 */
export interface LeakyBucketBackend {
  increment(key: string, amount: number): number | Promise<number>;
}

/** Where the Comms API's token buckets live; `take` spends one token if there is one. */
export interface TokenBucketBackend {
  take(key: string): TakeResult | Promise<TakeResult>;
}
