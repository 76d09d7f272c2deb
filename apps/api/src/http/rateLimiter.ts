import { performance } from 'node:perf_hooks';
import { LeakyBucket, type RateLimitSettings } from './leakyBucket';

/** Seconds on a monotonic clock; injected so tests move time by hand. */
export type Clock = () => number;

export const monotonicSeconds: Clock = () => performance.now() / 1000;

/** What a finished request cost and what its client has left, for the response headers. */
export interface Settlement {
  readonly cost: number;
  readonly remaining: number;
}

/** One request's claim on its client's bucket, from admission to the end of the request. */
export interface Admission {
  /** False when the bucket was full: the request must be answered 403 without running. */
  readonly allowed: boolean;
  /** Refunds the pre-flight cost and charges the request's cost; later calls return the same. */
  settle(): Settlement;
}

interface Entry {
  readonly bucket: LeakyBucket;
  inFlight: number;
}

/** Canvas forgets a bucket an hour after its last write (EXPIRE 3600 in increment_bucket.lua). */
const IDLE_EXPIRY_SEC = 3600;
const SWEEP_EVERY_SEC = 60;
const SWEEP_AT_SIZE = 10_000;

/**
 * Canvas's throttle over in-process buckets, one per client key: the throttle of a single
 * process. Several processes share their buckets through the cluster primary or Redis instead
 * (rateLimits/sharedRateLimiter).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Entry>();
  private lastSweep: number;
  private sweepAtSize = SWEEP_AT_SIZE;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: Clock = monotonicSeconds,
  ) {
    this.lastSweep = clock();
  }

  admit(key: string): Admission {
    const startedAt = this.clock();
    this.sweep(startedAt);
    const entry = this.entryFor(key);
    const { bucket } = entry;
    const upfront = this.settings.upfrontCost;
    bucket.increment(upfront, startedAt);
    entry.inFlight++;
    const allowed = !bucket.full;
    // A refused request reports the level that refused it, not the room its refund makes.
    const refusedAt = allowed ? undefined : bucket.remaining;
    let settled: Settlement | undefined;
    return {
      allowed,
      settle: () => {
        if (settled) return settled;
        const now = this.clock();
        // Cost is the wall time the request held the process for, not process.cpuUsage(): the
        // CPU counter is process-wide, so with concurrent requests it would bill each one for
        // all the others, and wall time also covers the store and read-model I/O that Canvas
        // bills as DB seconds.
        const cost = Math.max(0, now - startedAt);
        bucket.increment(cost - upfront, now);
        entry.inFlight--;
        settled = { cost, remaining: refusedAt ?? bucket.remaining };
        return settled;
      },
    };
  }

  /** How many clients have a bucket (tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  private entryFor(key: string): Entry {
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new LeakyBucket(this.settings), inFlight: 0 };
      this.buckets.set(key, entry);
    }
    return entry;
  }

  /**
   * Drops buckets that no request holds and that are empty or idle past Canvas's expiry: such a
   * bucket behaves exactly like a new one, and every distinct token (even an invalid one) makes
   * a bucket, so keeping them would let memory grow without bound.
   */
  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_SEC && this.buckets.size < this.sweepAtSize) return;
    this.lastSweep = now;
    for (const [key, { bucket, inFlight }] of this.buckets) {
      if (inFlight > 0) continue;
      const idle = now - (bucket.touchedAt ?? now);
      if (bucket.levelAt(now) <= 0 || idle >= IDLE_EXPIRY_SEC) this.buckets.delete(key);
    }
    // Many live clients must not turn every request into a full scan.
    this.sweepAtSize = Math.max(SWEEP_AT_SIZE, 2 * this.buckets.size);
  }
}
