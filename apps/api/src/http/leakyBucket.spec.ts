import { LeakyBucket, type RateLimitSettings } from './leakyBucket';

const CANVAS: RateLimitSettings = {
  highWaterMark: 600,
  maximum: 800,
  outflowPerSec: 10,
  upfrontCost: 50,
};

describe('LeakyBucket', () => {
  it('starts empty with the whole high-water mark remaining', () => {
    const bucket = new LeakyBucket(CANVAS);
    expect(bucket.remaining).toBe(600);
    expect(bucket.full).toBe(false);
  });

  it('leaks outflow per second between increments', () => {
    const bucket = new LeakyBucket(CANVAS);
    bucket.increment(100, 1000);
    bucket.increment(0, 1003);
    expect(bucket.remaining).toBe(530);
    expect(bucket.levelAt(1005)).toBe(50);
  });

  it('never leaks below empty, so an idle spell does not bank credit', () => {
    const bucket = new LeakyBucket(CANVAS);
    bucket.increment(20, 0);
    bucket.increment(50, 60);
    expect(bucket.remaining).toBe(550);
  });

  it('reads full at the high-water mark and holds no more than the maximum', () => {
    const bucket = new LeakyBucket(CANVAS);
    bucket.increment(599, 0);
    expect(bucket.full).toBe(false);
    bucket.increment(1, 0);
    expect(bucket.full).toBe(true);
    expect(bucket.remaining).toBe(0);
    bucket.increment(1000, 0);
    expect(bucket.remaining).toBe(-200);
  });

  it('drains from the maximum to below the high-water mark in (maximum - hwm) / outflow s', () => {
    const bucket = new LeakyBucket(CANVAS);
    bucket.increment(10_000, 0);
    bucket.increment(0, 20);
    expect(bucket.full).toBe(true);
    bucket.increment(0, 20.1);
    expect(bucket.full).toBe(false);
  });

  it('refunds with a negative amount, clamped at empty', () => {
    const bucket = new LeakyBucket(CANVAS);
    bucket.increment(50, 0);
    bucket.increment(0.25 - 50, 0);
    expect(bucket.remaining).toBe(599.75);
    bucket.increment(-50, 0);
    expect(bucket.remaining).toBe(600);
  });
});
