import { expectDomainError } from '../testing/givenWhenThen';
import { claimAttempt, requireLease } from './jobLease';

const leasedElsewhere = {
  kind: 'conflict',
  attribute: 'job',
  message: 'the job is leased to another runner',
} as const;

const now = new Date('2026-01-01T00:00:00.000Z');
const live = { runner: 'a', until: '2026-01-01T00:01:00.000Z', attempt: 1 };
const expired = { runner: 'a', until: '2025-12-31T23:59:00.000Z', attempt: 2 };

describe('job lease', () => {
  it('starts at attempt 1 on an unclaimed job', () => {
    expect(claimAttempt(null, { runner: 'a', now, leaseMs: 60_000 })).toBe(1);
  });

  it("refuses another runner while the holder's lease is live", () => {
    expectDomainError(
      () => claimAttempt(live, { runner: 'b', now, leaseMs: 60_000 }),
      leasedElsewhere,
    );
  });

  it('lets another runner take an expired lease, as a new attempt', () => {
    expect(claimAttempt(expired, { runner: 'b', now, leaseMs: 60_000 })).toBe(3);
  });

  it('keeps the attempt when the holder renews, and counts a new run by the holder', () => {
    expect(claimAttempt(live, { runner: 'a', now, leaseMs: 60_000, renew: true })).toBe(1);
    expect(claimAttempt(live, { runner: 'a', now, leaseMs: 60_000 })).toBe(2);
  });

  it('refuses a renewal by a runner whose lease was taken over', () => {
    const takenOver = { ...expired, runner: 'b' };
    expectDomainError(
      () => claimAttempt(takenOver, { runner: 'a', now, leaseMs: 60_000, renew: true }),
      leasedElsewhere,
    );
  });

  it('lets only the holder record progress', () => {
    expect(() => requireLease(live, 'a')).not.toThrow();
    expectDomainError(() => requireLease(live, 'b'), leasedElsewhere);
    expectDomainError(() => requireLease(null, 'a'), leasedElsewhere);
  });
});
