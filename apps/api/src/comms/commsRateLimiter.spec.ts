import { CommsRateLimiter } from './commsRateLimiter';

describe('CommsRateLimiter', () => {
  let clock = 0;
  const limiter = () => new CommsRateLimiter({ perSecond: 2, burst: 3 }, () => clock);

  beforeEach(() => {
    clock = 0;
  });

  it('allows a burst, then refuses with the seconds until the next token', () => {
    const l = limiter();
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual(Array(3).fill({ allowed: true }));
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock = 0.5;
    expect(l.take('a')).toEqual({ allowed: true });
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('keeps one bucket per credential', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.take('a');
    expect(l.take('a').allowed).toBe(false);
    expect(l.take('b').allowed).toBe(true);
  });

  it('rounds Retry-After up to whole seconds at slow rates', () => {
    const l = new CommsRateLimiter({ perSecond: 0.1, burst: 1 }, () => clock);
    expect(l.take('a').allowed).toBe(true);
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    clock = 4;
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 6 });
  });
});
