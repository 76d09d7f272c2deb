import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { startChannelsProjector, type ChannelsProjector } from '@missive/channels-projector';
import {
  consoleProjectionLogger,
  startConversationsProjector,
  type ConversationsProjector,
} from '@missive/conversations-projector';
import { createEventStore } from '@missive/event-store';
import { startMessagesProjector, type MessagesProjector } from '@missive/messages-projector';
import {
  NotifierConfig,
  confirmationSecret,
  loadConfig,
  startNotifier,
  type Notifier,
} from '@missive/notifier';
import { IdGenerator } from '@missive/domain';
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { json, raw } from 'express';
import { AppModule } from './appModule';
import type { AppConfig } from './config/appConfig';
import { DELIVERY_WEBHOOK_PATH } from './deliveryWebhook/deliveryWebhookController';
import { rateLimitMiddleware } from './http/rateLimitMiddleware';
import { httpMetricsMiddleware } from './operability/httpMetricsMiddleware';
import { instrumentEventStore } from './operability/instrumentedEventStore';
import { Metrics } from './operability/metrics';
import { serveOpenApi } from './openapi/openApiRoute';
import { Logger } from 'nestjs-pino';
import { RateLimiter } from './http/rateLimiter';
import { IdempotencyKeys } from './idempotency/idempotencyKeys';
import { idempotencyMiddleware } from './idempotency/idempotencyMiddleware';

/** Retries are remembered a day (as Stripe does); a dead instance's claim frees after a minute. */
const IDEMPOTENCY = { ttlMs: 24 * 3600_000, leaseMs: 60_000 };

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly url: string;
  close(): Promise<void>;
}

/** Opens the stores, starts the in-process projectors (embedded default) and listens. */
export async function startApp(
  config: AppConfig,
  options: {
    logger?: boolean;
    /** Where JSON log lines go (stdout by default); tests read them from here. */
    logStream?: NodeJS.WritableStream;
    /** Where the in-process notifier reads its own settings (SMTP_URL, ...); process.env. */
    env?: Record<string, string | undefined>;
  } = {},
): Promise<RunningApp> {
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL)
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  const metrics = new Metrics();
  const store = instrumentEventStore(createEventStore(config.eventStoreUrl), metrics);
  const db = createDatabase(config.readModelUrl);
  let projector: ConversationsProjector | undefined;
  let channelsProjector: ChannelsProjector | undefined;
  let messagesProjector: MessagesProjector | undefined;
  if (config.RUN_PROJECTORS) {
    projector = await startConversationsProjector({
      store,
      db,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      logger: consoleProjectionLogger,
    });
    channelsProjector = await startChannelsProjector({
      store,
      db,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      logger: consoleProjectionLogger,
    });
    messagesProjector = await startMessagesProjector({
      store,
      db,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      logger: consoleProjectionLogger,
    });
  }
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.create(
      config,
      store,
      db,
      (name) =>
        [
          ...(projector?.runners ?? []),
          ...(channelsProjector?.runners ?? []),
          ...(messagesProjector?.runners ?? []),
        ]
          .find((r) => r.name === name)
          ?.wake(),
      metrics,
      options.logStream,
    ),
    { bufferLogs: true },
  );
  app.useLogger(options.logger === false && !options.logStream ? false : app.get(Logger));
  // Canvas clients send bracket names (`recipients[]=1`, `user[name]=x`) in queries and forms.
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  app.use(httpMetricsMiddleware(metrics));
  serveOpenApi(app);
  // Registered before the body parsers so that it runs first (see rateLimitMiddleware).
  app.use(rateLimitMiddleware(new RateLimiter(config.rateLimit)));
  // The webhook's HMAC covers the exact bytes sent: keep them, unparsed, for that one route.
  app.use(DELIVERY_WEBHOOK_PATH, raw({ type: () => true, limit: '1mb' }));
  // A send to 10,000 recipients, each with its own variables, outgrows the usual limit.
  app.use('/v1/Messages', json({ limit: '16mb' }));
  app.useBodyParser('urlencoded', { extended: true, limit: '1mb' });
  app.useBodyParser('json', { limit: '1mb' });
  // After the body parsers: the body is part of what makes a retry the same request.
  const idempotencyKeys = new IdempotencyKeys(db, IDEMPOTENCY);
  await idempotencyKeys.migrate();
  app.use(idempotencyMiddleware(idempotencyKeys));
  await app.listen(config.PORT, '0.0.0.0');
  let notifier: Notifier | undefined;
  if (config.RUN_NOTIFIER) {
    const settings = loadConfig(NotifierConfig, options.env ?? process.env);
    notifier = await startNotifier({
      store,
      // The same connection as the projectors: better-sqlite3 waits for a lock synchronously,
      // so a second connection in this process would stall the event loop while the notifier
      // (which appends with its transaction open) holds the write lock. Reads wait out a
      // fan-out instead; run the notifier as its own process to avoid even that.
      db,
      ids: app.get(IdGenerator),
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
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await notifier?.stop();
      await projector?.stop();
      await channelsProjector?.stop();
      await messagesProjector?.stop();
      await db.destroy();
      await store.close();
    },
  };
}
