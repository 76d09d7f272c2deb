import type { ProtectedEventStore } from '@missive/personal-data';
import type { RunningProjections, startProjections } from '@missive/projections';
import { consoleProjectionLogger } from './consoleProjectionLogger';
import { startHealthServer } from './healthServer';
import { openStores } from './openStores';
import { loadConfig, ProjectorConfig } from './projectorConfig';
import { runProcess } from './runProcess';

/** What a projector app is started with: its projections' options, and what ends records. */
export type ProjectorStartOptions = Parameters<typeof startProjections>[1] & {
  /** Deletes data keys (Comms retention ends its records' keys). */
  readonly keys: Pick<ProtectedEventStore, 'eraseAll'>;
  /** COMMS_RETENTION_SECONDS, in ms: how often the Comms purge looks (at most hourly). */
  readonly commsRetentionMs: number;
};

/**
 * The whole of a standalone projector process (production: one container, scaled
 * independently): config, stores, the app's projections, `/health` on HEALTH_PORT, and a
 * shutdown on SIGTERM/SIGINT that lets each runner finish its batch.
 */
export function runProjectorProcess(
  name: string,
  start: (options: ProjectorStartOptions) => Promise<RunningProjections>,
): void {
  runProcess(async () => {
    const config = loadConfig(ProjectorConfig, process.env);
    const stores = await openStores(config);
    const projector = await start({
      store: stores.store,
      db: stores.db,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      logger: consoleProjectionLogger,
      keys: stores.store,
      commsRetentionMs: config.commsRetentionMs,
    });
    const health = config.HEALTH_PORT
      ? await startHealthServer(config.HEALTH_PORT, projector.runners)
      : undefined;
    console.log(`${name} running: ${projector.runners.map((r) => r.name).join(', ')}`);
    return async () => {
      health?.close();
      await projector.stop();
      await stores.close();
    };
  });
}
