import type { EventStore, Position } from '@missive/event-store';
import { consoleProjectionLogger } from '@missive/process';
import { ProjectionRunner } from '@missive/projections';
import { readModelProjections } from '@missive/projectors';
import {
  commsPurgeIntervalMs,
  startCommsPurge,
  type CommsKeyEraser,
  type SchemalessDb,
} from '@missive/read-models';

export interface InProcessProjectors {
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
}

/**
 * The three projector apps' read models, run inside the API (the embedded default), as
 * `start*Projector` runs them plus a report of every commit: read-your-writes answers on
 * that report instead of at its next read of the checkpoint row.
 */
export async function startInProcessProjectors(options: {
  store: EventStore;
  db: SchemalessDb;
  /** Deletes the keys of Comms records whose retention ended (the protected event store). */
  keys: CommsKeyEraser;
  /** COMMS_RETENTION_SECONDS in ms: the purge looks as often, at most hourly. */
  commsRetentionMs: number;
  pollIntervalMs: number;
  onCommitted: (projection: string, position: Position) => void;
}): Promise<InProcessProjectors> {
  const runners = readModelProjections.map(
    (projection) =>
      new ProjectionRunner({
        store: options.store,
        db: options.db,
        projection,
        pollIntervalMs: options.pollIntervalMs,
        logger: consoleProjectionLogger,
        onCommitted: (events) => {
          const last = events[events.length - 1];
          if (last) options.onCommitted(projection.name, last.position);
        },
      }),
  );
  // Sequential: each start migrates its tables, and SQLite allows one writer at a time.
  for (const runner of runners) await runner.start();
  // What the messages projector app does besides projecting (see startMessagesProjector).
  const purge = startCommsPurge(options.db, options.keys, {
    intervalMs: commsPurgeIntervalMs(options.commsRetentionMs),
    onError: (error) =>
      consoleProjectionLogger.warn('comms purge failed', { error: String(error) }),
  });
  return {
    runners,
    stop: async () => {
      await purge.stop();
      await Promise.all(runners.map((r) => r.stop()));
    },
  };
}
