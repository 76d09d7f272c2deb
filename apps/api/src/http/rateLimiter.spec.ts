import type { RateLimitSettings } from './leakyBucket';
import { RateLimiter } from './rateLimiter';

const CANVAS: RateLimitSettings = {
  highWaterMark: 600,
  maximum: 800,
  outflowPerSec: 10,
  upfrontCost: 50,
};

/** A clock the test moves by hand. */
function fakeClock(start = 1000) {
  let now = start;
  return {
    read: () => now,
    advance: (seconds: number) => {
      now += seconds;
    },
  };
}

describe('RateLimiter', () => {
  it('charges the wall time between admission and settlement, refunding the pre-flight cost', () => {
    const clock = fakeClock();
    // No outflow, so that the leak does not hide the charge.
    const limiter = new RateLimiter({ ...CANVAS, outflowPerSec: 0 }, clock.read);
    const admission = limiter.admit('token:a');
    expect(admission.allowed).toBe(true);
    clock.advance(0.25);
    expect(admission.settle()).toEqual({ cost: 0.25, remaining: 599.75 });
  });

  it('settles once: a second settle (e.g. on close after the headers) changes nothing', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(CANVAS, clock.read);
    const admission = limiter.admit('token:a');
    clock.advance(0.5);
    const first = admission.settle();
    clock.advance(3);
    expect(admission.settle()).toBe(first);
    const next = limiter.admit('token:a');
    expect(next.settle()).toEqual({ cost: 0, remaining: 600 });
  });

  it('throttles once parallel requests reach the high-water mark with their pre-flight costs', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ...CANVAS, highWaterMark: 100 }, clock.read);
    const first = limiter.admit('token:a');
    expect(first.allowed).toBe(true);
    const second = limiter.admit('token:a');
    expect(second.allowed).toBe(false);
    // The throttled request gives its pre-flight cost back too, but reports no capacity left.
    expect(second.settle()).toEqual({ cost: 0, remaining: 0 });
    expect(first.settle()).toEqual({ cost: 0, remaining: 100 });
    expect(limiter.admit('token:a').allowed).toBe(true);
  });

  it('keeps one bucket per client key', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter({ ...CANVAS, highWaterMark: 100 }, clock.read);
    limiter.admit('token:a');
    expect(limiter.admit('token:a').allowed).toBe(false);
    expect(limiter.admit('token:b').allowed).toBe(true);
    expect(limiter.admit('ip:127.0.0.1').allowed).toBe(true);
  });

  it('refuses a full bucket until it has leaked room for the next pre-flight cost', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(CANVAS, clock.read);
    const held = Array.from({ length: 11 }, () => limiter.admit('token:a'));
    expect(held.every((a) => a.allowed)).toBe(true);
    const refused = limiter.admit('token:a');
    expect(refused.allowed).toBe(false);
    expect(refused.settle()).toEqual({ cost: 0, remaining: 0 });
    const again = limiter.admit('token:a');
    expect(again.allowed).toBe(false);
    again.settle();
    // 10/s: half a point of leak makes 549.5 + 50 fit under 600.
    clock.advance(0.05);
    const admitted = limiter.admit('token:a');
    expect(admitted.allowed).toBe(true);
    // 10 s later all end: 100 has leaked, and each swaps its 50 for its wall time.
    clock.advance(10);
    for (const a of held) expect(a.settle().cost).toBeCloseTo(10.05, 9);
    const level = 599.5 - 100 - 11 * (50 - 10.05) - (50 - 10);
    expect(admitted.settle().remaining).toBeCloseTo(600 - level, 9);
  });

  it('forgets drained buckets so distinct tokens cannot grow memory without bound', () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(CANVAS, clock.read);
    for (let i = 0; i < 100; i++) {
      const admission = limiter.admit(`token:${i}`);
      clock.advance(0.001);
      admission.settle();
    }
    const held = limiter.admit('token:held');
    expect(limiter.size).toBe(101);
    clock.advance(61);
    limiter.admit('token:new').settle();
    // Everyone else leaked dry; the held request keeps its bucket.
    expect(limiter.size).toBe(2);
    // It leaked dry during its 61 s, then its cost replaced its pre-flight cost.
    expect(held.settle()).toEqual({ cost: 61, remaining: 600 - 11 });
  });
});
