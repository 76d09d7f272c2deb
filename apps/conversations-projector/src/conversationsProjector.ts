import type { EventStore } from '@missive/event-store';
import { ProjectionRunner, type Projection, type ProjectionLogger } from '@missive/projections';
import {
  conversationBatchesProjection,
  conversationsProjection,
  progressProjection,
  usersProjection,
} from '@missive/read-models';
import type { Kysely } from 'kysely';

/** The read models this app builds: users (for names and tokens), the inbox, and Progress. */
export const conversationsProjectorProjections: readonly Projection[] = [
  usersProjection,
  conversationsProjection,
  progressProjection,
  conversationBatchesProjection,
];

export interface ConversationsProjector {
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
}

export async function startConversationsProjector(options: {
  store: EventStore;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  pollIntervalMs?: number;
  logger?: ProjectionLogger;
}): Promise<ConversationsProjector> {
  const runners = conversationsProjectorProjections.map(
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
