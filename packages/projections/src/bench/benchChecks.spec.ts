import type { Projection } from '../projection';
import { BenchFailure, countingApplied, requireAllApplied } from './benchChecks';

describe('projection benchmark checks', () => {
  it('counts only the batches applied without an error', async () => {
    let calls = 0;
    const inner = {
      name: 'p',
      version: 1,
      filter: {},
      migrate: async () => {},
      apply: async () => {
        if (++calls === 2) throw new Error('poison');
      },
    } as unknown as Projection;
    const { projection, applied } = countingApplied(inner);
    const events = (n: number) => Array.from({ length: n }) as never[];
    await projection.apply(events(3), undefined as never);
    await expect(projection.apply(events(5), undefined as never)).rejects.toThrow('poison');
    await projection.apply(events(2), undefined as never);
    expect(applied()).toBe(5);
  });

  it('refuses a figure with events missing, lag left or parked events, saying which', () => {
    expect(() =>
      requireAllApplied('catch-up', { applied: 10, expected: 10, lag: 0, parked: 0 }),
    ).not.toThrow();
    expect(() =>
      requireAllApplied('catch-up', { applied: 9, expected: 10, lag: 1, parked: 1 }),
    ).toThrow(new BenchFailure('catch-up: applied 9 of 10 events, lag 1 left, 1 parked events'));
    expect(() =>
      requireAllApplied('rebuild', { applied: 10, expected: 10, lag: 0, parked: 2 }),
    ).toThrow(new BenchFailure('rebuild: 2 parked events'));
  });
});
