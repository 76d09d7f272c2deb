import type { EventStore } from '@missive/event-store';
import { ProjectionRunner, type Projection, type ProjectionLogger } from '@missive/projections';
import { channelsProjection, directoryProjection } from '@missive/read-models';
import type { Kysely } from 'kysely';

/** The read models this app builds: the directory (courses, groups) and users' channels. */
export const channelsProjectorProjections: readonly Projection[] = [
  directoryProjection,
  channelsProjection,
];

export interface ChannelsProjector {
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
}

export async function startChannelsProjector(options: {
  store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  pollIntervalMs?: number;
  logger?: ProjectionLogger;
}): Promise<ChannelsProjector> {
  const runners = channelsProjectorProjections.map(
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
