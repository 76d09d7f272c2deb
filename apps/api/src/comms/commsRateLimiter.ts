/**
 * A token bucket per credential: `burst` requests at once, refilled at `perSecond`. A refused
 * request learns how many whole seconds until a token is back (the `Retry-After` value).
 */
export class CommsRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly settings: { readonly perSecond: number; readonly burst: number },
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    const { perSecond, burst } = this.settings;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.forgetFullBuckets(now);
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)),
    };
  }

  /** A bucket that has refilled is the same as no bucket: keep the map to active credentials. */
  private forgetFullBuckets(now: number): void {
    if (this.buckets.size < 1000) return;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.settings.perSecond >= this.settings.burst) {
        this.buckets.delete(key);
      }
    }
  }
}
