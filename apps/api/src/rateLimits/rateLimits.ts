import { CommsRateLimiter } from '../comms/commsRateLimiter';
import type { AppConfig } from '../config/appConfig';
import type { Admission } from '../http/rateLimiter';
import { RateLimiter } from '../http/rateLimiter';
import type { TokenBucketBackend } from './bucketBackends';
import type { ClusterBuckets } from './clusterBuckets';
import { FallbackReporter, leakyWithFallback, tokenWithFallback } from './fallbackBuckets';
import { LocalLeakyBuckets } from './localLeakyBuckets';
import { RedisBuckets } from './redisBuckets';
import { SharedRateLimiter } from './sharedRateLimiter';

/** How long a starting instance waits for Redis before serving with per-process limits. */
const REDIS_CONNECT_WAIT_MS = 2000;

/** Canvas's throttle, on this process's buckets (answers at once) or shared ones. */
export interface CanvasThrottle {
  admit(key: string): Admission | Promise<Admission>;
}

/** The API's two rate limiters, wherever their buckets live. */
export interface RateLimits {
  readonly canvas: CanvasThrottle;
  readonly comms: TokenBucketBackend;
  /** Resolves when the shared buckets answer (or have been given a fair chance to). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimitOptions {
  /** A cluster worker's line to the buckets its primary keeps. */
  readonly cluster?: ClusterBuckets;
  readonly log: (level: 'warn' | 'info', message: string) => void;
  /** Counts each request limited on per-process buckets because the shared ones failed. */
  readonly countFallback: () => void;
}

/**
 * Where the buckets live: Redis when REDIS_URL is set (shared by every instance), else the
 * cluster primary for a worker (shared by the instance's workers), else this process.
 */
export function createRateLimits(config: AppConfig, options: RateLimitOptions): RateLimits {
  const canvasSettings = config.rateLimit;
  const commsSettings = config.comms.rateLimit;
  const where = config.REDIS_URL ? 'Redis' : 'the cluster primary';
  const reporter = new FallbackReporter(where, options.log, options.countFallback);
  let shared: { canvas: RedisBuckets['canvas']; comms: RedisBuckets['comms'] };
  let close = async (): Promise<void> => undefined;
  let ready = async (): Promise<void> => undefined;
  if (config.REDIS_URL) {
    const redis = new RedisBuckets(
      config.REDIS_URL,
      config.REDIS_KEY_PREFIX,
      canvasSettings,
      commsSettings,
      (err) => reporter.unreachable(err),
    );
    shared = redis;
    close = () => redis.close();
    ready = () => redis.connected(REDIS_CONNECT_WAIT_MS);
  } else if (options.cluster) {
    shared = options.cluster;
  } else {
    return {
      canvas: new RateLimiter(canvasSettings),
      comms: new CommsRateLimiter(commsSettings),
      ready,
      close,
    };
  }
  const canvas = leakyWithFallback(shared.canvas, new LocalLeakyBuckets(canvasSettings), reporter);
  const comms = tokenWithFallback(shared.comms, new CommsRateLimiter(commsSettings), reporter);
  return {
    canvas: new SharedRateLimiter(canvasSettings, canvas, (err) =>
      options.log('warn', `rate limits: charging a finished request failed: ${String(err)}`),
    ),
    comms,
    ready,
    close,
  };
}
