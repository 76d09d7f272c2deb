import {
  ConfigError,
  ProjectorConfig,
  consoleProjectionLogger,
  loadConfig,
  startHealthServer,
} from '@missive/conversations-projector';
import { createEventStore } from '@missive/event-store';
import { createDatabase } from '@missive/projections';
import { startMessagesProjector } from './messagesProjector';

/** Standalone projector process (production: one container, scaled independently). */
async function main(): Promise<void> {
  const config = loadConfig(ProjectorConfig, process.env);
  const store = createEventStore(config.eventStoreUrl);
  const db = createDatabase(config.readModelUrl);
  const projector = await startMessagesProjector({
    store,
    db,
    pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
    logger: consoleProjectionLogger,
  });
  const health = config.HEALTH_PORT
    ? await startHealthServer(config.HEALTH_PORT, projector.runners)
    : undefined;
  console.log(`messages-projector running: ${projector.runners.map((r) => r.name).join(', ')}`);
  const shutdown = async () => {
    health?.close();
    await projector.stop();
    await db.destroy();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
