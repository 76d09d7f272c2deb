import { consoleProjectionLogger, startHealthServer } from '@missive/conversations-projector';
import { createEventStore } from '@missive/event-store';
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { confirmationSecret } from './confirmationSecret';
import { ConfigError, NotifierConfig, loadConfig } from './notifierConfig';
import { startNotifier } from './startNotifier';

/** Standalone notifier process (production: its own container; several may run). */
async function main(): Promise<void> {
  const config = loadConfig(NotifierConfig, process.env);
  const secret = confirmationSecret(config);
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL) {
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  }
  const store = createEventStore(config.eventStoreUrl);
  const db = createDatabase(config.readModelUrl);
  const notifier = await startNotifier({
    store,
    db,
    confirmationSecret: secret,
    dataDir: resolve(config.DATA_DIR),
    nodeId: config.NODE_ID,
    from: config.NOTIFICATION_FROM,
    fromName: config.NOTIFICATION_FROM_NAME,
    smtpUrl: config.SMTP_URL,
    commsProvider: config.commsProvider,
    bounceThreshold: config.BOUNCE_THRESHOLD,
    retryBaseMs: config.DELIVERY_RETRY_BASE_MS,
    leaseMs: config.DELIVERY_LEASE_MS,
    deliveryPollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
    deliveryConcurrency: config.DELIVERY_CONCURRENCY,
    pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
    logger: consoleProjectionLogger,
  });
  const health = config.HEALTH_PORT
    ? await startHealthServer(config.HEALTH_PORT, notifier.runners, {
        dispatcher: notifier.dispatcher,
      })
    : undefined;
  console.log(
    `notifier running: ${notifier.runners.map((r) => r.name).join(', ')}; email via ${
      config.SMTP_URL ? 'smtp' : `sandbox (${resolve(config.DATA_DIR, 'sandbox')})`
    }`,
  );
  const shutdown = async () => {
    health?.close();
    await notifier.stop();
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
