import type { Projection } from '../projection';

/**
 * What makes a projection benchmark refuse to print a figure: an event it did not apply, lag
 * left over, or a parked event. Throughput is the events applied over the time, never the
 * events written divided by it.
 */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

/** The projection, counting the events of every batch it applied without an error. */
export function countingApplied(projection: Projection): {
  projection: Projection;
  applied: () => number;
} {
  let applied = 0;
  return {
    projection: {
      ...projection,
      apply: async (events, tx) => {
        await projection.apply(events, tx);
        applied += events.length;
      },
    },
    applied: () => applied,
  };
}

export function requireAllApplied(
  figure: string,
  outcome: { applied: number; expected: number; lag: number; parked: number },
): void {
  const problems = [
    outcome.applied !== outcome.expected
      ? `applied ${outcome.applied} of ${outcome.expected} events`
      : '',
    outcome.lag > 0 ? `lag ${outcome.lag} left` : '',
    outcome.parked > 0 ? `${outcome.parked} parked events` : '',
  ].filter(Boolean);
  if (problems.length > 0) throw new BenchFailure(`${figure}: ${problems.join(', ')}`);
}

/** Runs a benchmark's main: a failure prints one `BENCH FAILED: <why>` line and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof BenchFailure) console.error(`BENCH FAILED: ${error.message}`);
    else console.error('BENCH FAILED:', error);
    process.exit(1);
  });
}
