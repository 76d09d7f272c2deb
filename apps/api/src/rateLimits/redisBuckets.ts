import { Redis } from 'ioredis';
import type { RateLimitSettings } from '../http/leakyBucket';
import type { LeakyBucketBackend, TakeResult, TokenBucketBackend } from './bucketBackends';

/**
 * Leaks, adds and clamps in one step, as LeakyBucket.increment does, on Redis's clock so that
 * every process reads the same time. Forgotten an hour after the last write, as Canvas's own
 * increment script does.
 */
const LEAKY_INCREMENT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local amount = tonumber(ARGV[1])
local outflow = tonumber(ARGV[2])
local maximum = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'count', 'at')
local count = tonumber(state[1]) or 0
local at = tonumber(state[2]) or now
local drained = math.max(0, count - outflow * math.max(0, now - at))
local level = math.min(maximum, math.max(0, drained + amount))
redis.call('HSET', KEYS[1], 'count', string.format('%.17g', level), 'at', string.format('%.17g', now))
redis.call('EXPIRE', KEYS[1], 3600)
return string.format('%.17g', level)
`;

/**
 * Refills and spends one token in one step, as CommsRateLimiter.take does. A bucket that has had
 * time to refill is the same as none, so it expires then.
 */
const TOKEN_TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local perSecond = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perSecond)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(1000 * burst / perSecond) + 1000)
return {allowed, string.format('%.17g', tokens)}
`;

type ScriptedRedis = Redis & {
  leakyIncrement(key: string, amount: number, outflow: number, maximum: number): Promise<string>;
  tokenTake(key: string, perSecond: number, burst: number): Promise<[number, string]>;
};

/** Redis answers quickly or not at all: a request must not hang on a limiter that is away. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * Canvas's and the Comms API's buckets in Redis (REDIS_URL), shared by every process and every
 * instance, each change one atomic script. While Redis is unreachable a command fails at once
 * (no offline queue, no retries) and the client reconnects in the background.
 */
export class RedisBuckets {
  readonly canvas: LeakyBucketBackend;
  readonly comms: TokenBucketBackend;
  private readonly redis: ScriptedRedis;

  constructor(
    url: string,
    private readonly prefix: string,
    canvas: RateLimitSettings,
    comms: { readonly perSecond: number; readonly burst: number },
    onConnectionError: (err: Error) => void,
  ) {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      // Keep trying, never more than every 2 s.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    redis.defineCommand('leakyIncrement', { numberOfKeys: 1, lua: LEAKY_INCREMENT });
    redis.defineCommand('tokenTake', { numberOfKeys: 1, lua: TOKEN_TAKE });
    // A command while disconnected fails at once rather than wait to be replayed later: a
    // charge sent after its request ended would bill the client for the past.
    // Without a listener ioredis prints every failed reconnection itself.
    redis.on('error', onConnectionError);
    this.redis = redis as ScriptedRedis;
    this.canvas = {
      increment: async (key, amount) =>
        Number(
          await this.redis.leakyIncrement(
            `${this.prefix}canvas:${key}`,
            amount,
            canvas.outflowPerSec,
            canvas.maximum,
          ),
        ),
    };
    this.comms = {
      take: async (key): Promise<TakeResult> => {
        const [allowed, tokens] = await this.redis.tokenTake(
          `${this.prefix}comms:${key}`,
          comms.perSecond,
          comms.burst,
        );
        if (allowed === 1) return { allowed: true };
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - Number(tokens)) / comms.perSecond)),
        };
      },
    };
  }

  /**
   * Resolves once connected, or after `withinMs` if Redis does not answer: requests before
   * then would be limited per process, which a starting instance should avoid when it can.
   */
  connected(withinMs: number): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, withinMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.redis.once('ready', done);
    });
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    // QUIT needs a connection; one that is down is simply dropped.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}
