import type { IdGenerator } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import {
  NotifierConfig,
  confirmationSecret,
  startNotifier,
  type Notifier,
} from '@missive/notifications';
import { consoleProjectionLogger, loadConfig } from '@missive/process';
import type { SchemalessDb } from '@missive/read-models';
import type { AppConfig } from './config/appConfig';

/**
 * The notifier inside the API's process (the embedded default). Its own settings (SMTP_URL,
 * NOTIFICATION_FROM, ...) are read as the standalone notifier reads them.
 */
export function startInProcessNotifier(
  config: AppConfig,
  store: EventStore,
  db: SchemalessDb,
  ids: IdGenerator,
  env: Record<string, string | undefined>,
): Promise<Notifier> {
  const settings = loadConfig(NotifierConfig, env);
  return startNotifier({
    store,
    // The same connection as the projectors: better-sqlite3 waits for a lock synchronously,
    // so a second connection in this process would stall the event loop while the notifier
    // (which appends with its transaction open) holds the write lock. Reads wait out a
    // fan-out instead; run the notifier as its own process to avoid even that.
    db,
    ids,
    // The API's node number: each instance has its own, kept across restarts.
    dispatcherId: `node-${config.NODE_ID}`,
    confirmationSecret: confirmationSecret(config),
    dataDir: config.DATA_DIR,
    from: settings.NOTIFICATION_FROM,
    fromName: settings.NOTIFICATION_FROM_NAME,
    smtpUrl: settings.SMTP_URL,
    commsProvider: settings.commsProvider,
    bounceThreshold: settings.BOUNCE_THRESHOLD,
    retryBaseMs: settings.DELIVERY_RETRY_BASE_MS,
    leaseMs: settings.DELIVERY_LEASE_MS,
    deliveryPollIntervalMs: settings.DELIVERY_POLL_INTERVAL_MS,
    deliveryConcurrency: settings.DELIVERY_CONCURRENCY,
    pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
    logger: consoleProjectionLogger,
  });
}
