import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createEventStore } from '@missive/event-store';
import {
  createDatabase,
  type RunningProjections,
  type startProjections,
} from '@missive/projections';
import { consoleProjectionLogger } from './consoleProjectionLogger';
import { startHealthServer } from './healthServer';
import { ConfigError, loadConfig, ProjectorConfig } from './projectorConfig';

/**
 * The whole of a standalone projector process (production: one container, scaled
 * independently): config, stores, the app's projections, `/health` on HEALTH_PORT, and a
 * shutdown on SIGTERM/SIGINT that lets each runner finish its batch.
 */
export function runProjectorProcess(
  name: string,
  start: (options: Parameters<typeof startProjections>[1]) => Promise<RunningProjections>,
): void {
  const main = async () => {
    const config = loadConfig(ProjectorConfig, process.env);
    // The embedded default keeps its files in DATA_DIR, as the API does.
    if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL) {
      mkdirSync(resolve(config.DATA_DIR), { recursive: true });
    }
    const store = createEventStore(config.eventStoreUrl);
    const db = createDatabase(config.readModelUrl);
    const projector = await start({
      store,
      db,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      logger: consoleProjectionLogger,
    });
    const health = config.HEALTH_PORT
      ? await startHealthServer(config.HEALTH_PORT, projector.runners)
      : undefined;
    console.log(`${name} running: ${projector.runners.map((r) => r.name).join(', ')}`);
    const shutdown = async () => {
      health?.close();
      await projector.stop();
      await db.destroy();
      await store.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown());
    process.once('SIGINT', () => void shutdown());
  };
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
