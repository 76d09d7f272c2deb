import { NotifierConfig, confirmationSecret, startNotifier } from '@missive/notifications';
import {
  consoleProjectionLogger,
  loadConfig,
  openStores,
  runProcess,
  startHealthServer,
} from '@missive/process';
import { resolve } from 'node:path';

/** Standalone notifier process (production: its own container; several may run). */
runProcess(async () => {
  const config = loadConfig(NotifierConfig, process.env);
  const secret = confirmationSecret(config);
  const stores = await openStores(config);
  const notifier = await startNotifier({
    store: stores.store,
    db: stores.db,
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
  return async () => {
    health?.close();
    await notifier.stop();
    await stores.close();
  };
});
