import { LeakyBucket, type RateLimitSettings } from '../http/leakyBucket';
import { monotonicSeconds, type Clock } from '../http/rateLimiter';
import type { LeakyBucketBackend } from './bucketBackends';

const SWEEP_AT_SIZE = 10_000;

/**
 * Leaky buckets in this process's memory, answering increments for other processes (the cluster
 * primary serves its workers from these) or standing in while Redis is unreachable.
 */
export class LocalLeakyBuckets implements LeakyBucketBackend {
  private readonly buckets = new Map<string, LeakyBucket>();
  private sweepAtSize = SWEEP_AT_SIZE;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: Clock = monotonicSeconds,
  ) {}

  increment(key: string, amount: number): number {
    const now = this.clock();
    this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new LeakyBucket(this.settings);
      this.buckets.set(key, bucket);
    }
    bucket.increment(amount, now);
    return bucket.levelAt(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  /**
   * A bucket that has leaked dry behaves exactly like a new one (a refund clamps at zero either
   * way), so dropping it changes no answer and keeps memory to the clients that are active.
   */
  private sweep(now: number): void {
    if (this.buckets.size < this.sweepAtSize) return;
    for (const [key, bucket] of this.buckets) {
      if (bucket.levelAt(now) <= 0) this.buckets.delete(key);
    }
    this.sweepAtSize = Math.max(SWEEP_AT_SIZE, 2 * this.buckets.size);
  }
}
