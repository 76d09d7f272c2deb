import type { EventStore } from '@missive/event-store';
import type { Kysely } from 'kysely';
import type { Projection } from './projection';
import { ProjectionRunner, type ProjectionLogger } from './projectionRunner';

export interface RunningProjections {
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
}

/** Starts one runner per projection: what every projector app does, in-process or alone. */
export async function startProjections(
  projections: readonly Projection[],
  options: {
    store: EventStore;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>;
    pollIntervalMs?: number;
    logger?: ProjectionLogger;
  },
): Promise<RunningProjections> {
  const runners = projections.map(
    (projection) =>
      new ProjectionRunner({
        store: options.store,
        db: options.db,
        projection,
        pollIntervalMs: options.pollIntervalMs,
        logger: options.logger,
      }),
  );
  // Sequential: each start migrates its tables, and SQLite allows one writer at a time.
  for (const runner of runners) await runner.start();
  return {
    runners,
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
