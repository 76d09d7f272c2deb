import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RateLimitSettings } from '../http/leakyBucket';
import { RateLimiter } from '../http/rateLimiter';
import { CommsRateLimiter } from '../comms/commsRateLimiter';
import { FallbackReporter, leakyWithFallback, tokenWithFallback } from './fallbackBuckets';
import { LocalLeakyBuckets } from './localLeakyBuckets';
import { RedisBuckets } from './redisBuckets';
import { SharedRateLimiter } from './sharedRateLimiter';

/** The Redis every process of a deployment shares; tests keep to keys of their own. */
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/** No leak, so that what is admitted depends on the counts alone, never on timing. */
const CANVAS: RateLimitSettings = {
  highWaterMark: 600,
  maximum: 800,
  outflowPerSec: 0,
  upfrontCost: 50,
};
const COMMS = { perSecond: 0.001, burst: 5 };

describe('rate-limit buckets in Redis', () => {
  const prefix = `missive-test:${randomUUID()}:`;
  const opened: RedisBuckets[] = [];
  const failures: unknown[] = [];
  /** One connection per simulated process: nothing is shared but Redis itself. */
  const processBuckets = () => {
    const buckets = new RedisBuckets(REDIS_URL, prefix, CANVAS, COMMS, (err) => failures.push(err));
    opened.push(buckets);
    return buckets;
  };
  const connected = async () => {
    const buckets = processBuckets();
    await buckets.connected(5000);
    return buckets;
  };

  afterAll(async () => {
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
    await Promise.all(opened.map((b) => b.close()));
  });

  it('admits across two processes what one process admits on its own', async () => {
    const held = 24;
    const single = new RateLimiter(CANVAS);
    const alone = Array.from({ length: held }, () => single.admit('token:a'));
    const processes = (await Promise.all([connected(), connected()])).map(
      (b) => new SharedRateLimiter(CANVAS, b.canvas, (err) => failures.push(err)),
    );
    const together = [];
    // In turn through each process, all held (none settles), as concurrent requests would be.
    for (let i = 0; i < held; i++) together.push(await processes[i % 2]!.admit('token:a'));
    const admitted = (list: { allowed: boolean }[]) => list.filter((a) => a.allowed).length;
    expect(admitted(alone)).toBe(11);
    expect(admitted(together)).toBe(11);
    // Both processes took part: each admitted some of the eleven.
    expect(together.filter((a, i) => a.allowed && i % 2 === 1).length).toBeGreaterThan(0);
    expect(failures).toEqual([]);
  });

  it('keeps one bucket per client key', async () => {
    const limiter = new SharedRateLimiter(
      { ...CANVAS, highWaterMark: 100 },
      (await connected()).canvas,
      (err) => failures.push(err),
    );
    expect((await limiter.admit('token:b')).allowed).toBe(true);
    expect((await limiter.admit('token:b')).allowed).toBe(false);
    expect((await limiter.admit('token:c')).allowed).toBe(true);
  });

  it('lets a refused request claim no capacity, and refunds its pre-flight cost', async () => {
    const buckets = await connected();
    const limiter = new SharedRateLimiter(
      { ...CANVAS, highWaterMark: 100 },
      buckets.canvas,
      (err) => failures.push(err),
    );
    const first = await limiter.admit('token:d');
    const refused = await limiter.admit('token:d');
    expect(refused.allowed).toBe(false);
    expect(refused.settle().remaining).toBeLessThanOrEqual(0);
    // The refund travels on the same connection ahead of this increment, which reads the level:
    // the refused request's 50 is back, and only its wall time (well under 50 s) is charged.
    const level = await buckets.canvas.increment('token:d', 0);
    expect(level).toBeGreaterThanOrEqual(50);
    expect(level).toBeLessThan(100);
    expect(first.settle().remaining).toBeGreaterThan(0);
  });

  it('forgets a bucket an hour after its last charge, as Canvas does', async () => {
    await (await connected()).canvas.increment('token:e', 10);
    const admin = new Redis(REDIS_URL);
    const ttl = await admin.ttl(`${prefix}canvas:token:e`);
    await admin.quit();
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('spends one Comms burst across two processes, then tells when a token is back', async () => {
    const [a, b] = await Promise.all([connected(), connected()]);
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await (i % 2 ? a : b).comms.take('AC1'));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed);
    // 0.001 tokens a second: about a thousand seconds until the next one.
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    expect(refused && !refused.allowed && refused.retryAfterSeconds).toBeGreaterThan(990);
    expect((await a.comms.take('AC2')).allowed).toBe(true);
  });

  it('limits per process, logging once and counting each request, while Redis is unreachable', async () => {
    const logs: string[] = [];
    let counted = 0;
    const reporter = new FallbackReporter(
      'Redis',
      (_level, message) => logs.push(message),
      () => counted++,
    );
    // Nothing listens on port 1.
    const away = new RedisBuckets('redis://127.0.0.1:1', prefix, CANVAS, COMMS, (err) =>
      reporter.unreachable(err),
    );
    opened.push(away);
    const limiter = new SharedRateLimiter(
      CANVAS,
      leakyWithFallback(away.canvas, new LocalLeakyBuckets(CANVAS), reporter),
      (err) => failures.push(err),
    );
    const admissions = [];
    for (let i = 0; i < 13; i++) admissions.push(await limiter.admit('token:f'));
    expect(admissions.filter((a) => a.allowed)).toHaveLength(11);
    const comms = tokenWithFallback(away.comms, new CommsRateLimiter(COMMS), reporter);
    for (let i = 0; i < 6; i++) await comms.take('AC3');
    expect(await comms.take('AC3')).toMatchObject({ allowed: false });
    expect(counted).toBe(13 + 7);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/Redis unreachable/);
  });
});
