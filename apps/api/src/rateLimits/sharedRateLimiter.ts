import type { RateLimitSettings } from '../http/leakyBucket';
import { monotonicSeconds, type Admission, type Clock, type Settlement } from '../http/rateLimiter';
import type { LeakyBucketBackend } from './bucketBackends';

/**
 * Canvas's throttle over buckets that other processes charge too (the cluster primary's, or
 * Redis's). Admission waits for the shared bucket; settlement must answer while the response
 * headers are being written, so it reports the level it can work out from the admission (the
 * level then, minus the leak since, plus this request's cost) and sends the charge on without
 * waiting. Only requests of the same client running at the same moment are missing from that
 * figure; the bucket itself counts them all.
 */
export class SharedRateLimiter {
  constructor(
    private readonly settings: RateLimitSettings,
    private readonly backend: LeakyBucketBackend,
    private readonly onError: (err: unknown) => void,
    private readonly clock: Clock = monotonicSeconds,
  ) {}

  async admit(key: string): Promise<Admission> {
    const { highWaterMark, maximum, outflowPerSec, upfrontCost } = this.settings;
    const startedAt = this.clock();
    const level = await this.backend.increment(key, upfrontCost);
    const allowed = level < highWaterMark;
    let settled: Settlement | undefined;
    return {
      allowed,
      settle: () => {
        if (settled) return settled;
        const cost = Math.max(0, this.clock() - startedAt);
        // Sent now, so that it reaches the bucket ahead of this client's next request.
        this.charge(key, cost - upfrontCost);
        const leaked = Math.max(0, level - outflowPerSec * cost);
        const after = Math.min(maximum, Math.max(0, leaked + cost - upfrontCost));
        // A refused request reports the level that refused it: no capacity was left.
        settled = { cost, remaining: highWaterMark - (allowed ? after : level) };
        return settled;
      },
    };
  }

  private charge(key: string, amount: number): void {
    try {
      Promise.resolve(this.backend.increment(key, amount)).catch(this.onError);
    } catch (err) {
      this.onError(err);
    }
  }
}
