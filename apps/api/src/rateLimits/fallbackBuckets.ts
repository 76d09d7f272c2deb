import type { LeakyBucketBackend, TakeResult, TokenBucketBackend } from './bucketBackends';

/**
 * Reports when the shared buckets fail and when they answer again: one line per outage, not one
 * per request, and a count of every request that fell back.
 */
export class FallbackReporter {
  private down = false;

  constructor(
    private readonly where: string,
    private readonly log: (level: 'warn' | 'info', message: string) => void,
    private readonly count: () => void,
  ) {}

  /** A request fell back to this process's buckets. */
  failed(err: unknown): void {
    this.count();
    this.unreachable(err);
  }

  /** The connection to the shared buckets broke (reported by the client, between requests). */
  unreachable(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log(
      'warn',
      `rate limits: ${this.where} unreachable (${err instanceof Error ? err.message : String(err)}); limiting per process until it answers`,
    );
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    this.log('info', `rate limits: ${this.where} answers again; limits are shared again`);
  }
}

/**
 * The shared leaky buckets, or this process's own while they are unreachable: a limiter outage
 * must not take the API down, and per-process limits still bound each process (N processes
 * admit up to N times the allowance meanwhile).
 */
export function leakyWithFallback(
  shared: LeakyBucketBackend,
  local: LeakyBucketBackend,
  reporter: FallbackReporter,
): LeakyBucketBackend {
  return {
    increment: async (key, amount) => {
      try {
        const level = await shared.increment(key, amount);
        reporter.answered();
        return level;
      } catch (err) {
        reporter.failed(err);
        return local.increment(key, amount);
      }
    },
  };
}

/** The Comms API's shared token buckets, or this process's own while they are unreachable. */
export function tokenWithFallback(
  shared: TokenBucketBackend,
  local: TokenBucketBackend,
  reporter: FallbackReporter,
): TokenBucketBackend {
  return {
    take: async (key): Promise<TakeResult> => {
      try {
        const result = await shared.take(key);
        reporter.answered();
        return result;
      } catch (err) {
        reporter.failed(err);
        return local.take(key);
      }
    },
  };
}
