import { StreamKeys } from './infrastructure/streamKeys';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { protectMissiveEventStore } from '@missive/personal-data';
import { createEventStore } from '@missive/event-store';
import type { Notifier } from '@missive/notifications';
import { IdGenerator } from '@missive/domain';
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { resolve } from 'node:path';
import { AppModule } from './appModule';
import type { AppConfig } from './config/appConfig';
import { DELIVERY_WEBHOOK_PATH } from './deliveryWebhook/deliveryWebhookController';
import { registerBodyParsers } from './http/bodyParsers';
import { createHttpAdapter } from './http/createHttpAdapter';
import { rateLimitHook } from './http/rateLimitHook';
import { weakEtagHook } from './http/weakEtagHook';
import { CommittedPositions } from './infrastructure/committedPositions';
import type { ProjectionWaker } from './infrastructure/readYourWrites';
import { startInProcessNotifier } from './inProcessNotifier';
import { startInProcessProjectors, type InProcessProjectors } from './inProcessProjectors';
import { IdempotencyKeys } from './idempotency/idempotencyKeys';
import { idempotencyClaimHook, idempotencyRecordHook } from './idempotency/idempotencyHooks';
import { createAppLogger, PinoNestLogger } from './operability/appLogger';
import { requestLogHook } from './operability/requestLog';
import { httpMetricsHooks } from './operability/httpMetricsHooks';
import { instrumentEventStore } from './operability/instrumentedEventStore';
import { Metrics } from './operability/metrics';
import { serveOpenApi } from './openapi/openApiRoute';
import type { ClusterBuckets } from './rateLimits/clusterBuckets';
import { createRateLimits } from './rateLimits/rateLimits';

/** Idempotency-Key records live 24 hours, as Stripe keeps them. */
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface RunningApp {
  readonly app: NestFastifyApplication;
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
    /** Wakes projectors that run elsewhere (a cluster worker asks its primary). */
    wake?: ProjectionWaker;
    /** Commits reported by projectors that run elsewhere. */
    committed?: CommittedPositions;
    /** A cluster worker's metrics, whose scrape answers for the whole cluster. */
    metrics?: Metrics;
    /** A cluster worker's line to the rate-limit buckets its primary keeps for all workers. */
    buckets?: ClusterBuckets;
  } = {},
): Promise<RunningApp> {
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL || !config.KEY_STORE_URL)
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  const metrics = options.metrics ?? new Metrics();
  const protectedStore = protectMissiveEventStore(
    createEventStore(config.eventStoreUrl),
    config.keyStoreUrl,
  );
  // A lost or replaced key store stops the start here, loudly.
  await protectedStore.ready();
  const store = instrumentEventStore(protectedStore, metrics);
  const db = createDatabase(config.readModelUrl);
  // Projectors in another process (a cluster primary) report their commits through
  // `committed` and are woken through `wake`.
  const committed = options.committed ?? new CommittedPositions();
  let projectors: InProcessProjectors | undefined;
  if (config.RUN_PROJECTORS) {
    projectors = await startInProcessProjectors({
      store,
      db,
      keys: protectedStore,
      commsRetentionMs: config.commsRetentionMs,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      onCommitted: (name, position) => committed.record(name, position),
    });
  }
  const wake: ProjectionWaker =
    options.wake ?? ((name) => projectors?.runners.find((r) => r.name === name)?.wake());
  const logger = createAppLogger(config, options.logStream);
  const httpMetrics = httpMetricsHooks(metrics);
  const rateLimits = createRateLimits(config, {
    cluster: options.buckets,
    log: (level, message) => logger[level](message),
    countFallback: () => metrics.rateLimitFallbacks.inc(),
  });
  await rateLimits.ready();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.create(
      config,
      store,
      db,
      wake,
      committed,
      metrics,
      new StreamKeys(await protectedStore.streamKeySecret()),
      protectedStore,
      rateLimits.comms,
    ),
    createHttpAdapter(
      [
        // First, so that every answer (a throttled one too) carries its request id and is logged.
        requestLogHook(logger),
        httpMetrics.onRequest,
        // A request hook runs before the body is read (see rateLimitHook).
        rateLimitHook(rateLimits.canvas),
      ],
      config.httpServer,
    ),
    // The bodies are read by registerBodyParsers below, as Express's body-parser read them.
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(
    options.logger === false && !options.logStream ? false : new PinoNestLogger(logger),
  );
  const server = app.getHttpAdapter().getInstance();
  serveOpenApi(app, server);
  registerBodyParsers(server, {
    // The webhook's HMAC covers the exact bytes sent: keep them, unparsed, for that one route.
    rawPath: DELIVERY_WEBHOOK_PATH,
    // A send to 10,000 recipients, each with its own variables, outgrows the usual limit.
    largeJsonPath: '/v1/Messages',
    largeJsonLimit: 16 * 1024 * 1024,
  });
  // Send hooks run in the order added: the ETag first, so that it is among the headers the
  // idempotency record keeps for a replay.
  server.addHook('onSend', weakEtagHook);
  // A pre-handler hook runs once the body is parsed: it is part of what makes a retry the same
  // request.
  const idempotencyKeys = new IdempotencyKeys(db, {
    ttlMs: IDEMPOTENCY_TTL_MS,
    leaseMs: config.IDEMPOTENCY_LEASE_MS,
  });
  await idempotencyKeys.migrate();
  server.addHook('preHandler', idempotencyClaimHook(idempotencyKeys));
  // After the claim, so that an answer the claim gives is `unmatched` (see httpMetricsHooks).
  server.addHook('preHandler', httpMetrics.preHandler);
  server.addHook('onSend', idempotencyRecordHook(idempotencyKeys));
  await app.listen(config.PORT, config.HOST);
  const notifier: Notifier | undefined = config.RUN_NOTIFIER
    ? await startInProcessNotifier(
        config,
        store,
        db,
        app.get(IdGenerator),
        options.env ?? process.env,
      )
    : undefined;
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    app,
    url: `http://${connectableHost(config.HOST)}:${port}`,
    close: async () => {
      await app.close();
      await rateLimits.close();
      await notifier?.stop();
      await projectors?.stop();
      await db.destroy();
      await store.close();
    },
  };
}

/** Where a client on this machine reaches a server listening on `host`. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIPv6(host) ? `[${host}]` : host;
}
