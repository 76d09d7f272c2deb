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
import { createDatabase } from '@missive/projections';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from './appModule';
import type { AppConfig } from './config/appConfig';
import { rateLimitMiddleware } from './http/rateLimitMiddleware';
import { RateLimiter } from './http/rateLimiter';

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly url: string;
  close(): Promise<void>;
}

/** Opens the stores, starts the in-process projectors (embedded default) and listens. */
export async function startApp(
  config: AppConfig,
  options: { logger?: boolean } = {},
): Promise<RunningApp> {
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL)
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  const store = createEventStore(config.eventStoreUrl);
  const db = createDatabase(config.readModelUrl);
  let projector: ConversationsProjector | undefined;
  let channelsProjector: ChannelsProjector | undefined;
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
  }
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.create(config, store, db, (name) =>
      [...(projector?.runners ?? []), ...(channelsProjector?.runners ?? [])]
        .find((r) => r.name === name)
        ?.wake(),
    ),
    {
      logger: options.logger === false ? false : ['log', 'warn', 'error'],
    },
  );
  // Canvas clients send bracket names (`recipients[]=1`, `user[name]=x`) in queries and forms.
  app.set('query parser', 'extended');
  app.disable('x-powered-by');
  // Registered before the body parsers so that it runs first (see rateLimitMiddleware).
  app.use(rateLimitMiddleware(new RateLimiter(config.rateLimit)));
  app.useBodyParser('urlencoded', { extended: true, limit: '1mb' });
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      await projector?.stop();
      await channelsProjector?.stop();
      await db.destroy();
      await store.close();
    },
  };
}
