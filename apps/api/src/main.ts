import { AppConfig, ConfigError, loadConfig } from './config/appConfig';
import { startApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig(AppConfig, process.env);
  const running = await startApp(config);
  console.log(
    `Missive API listening on http://0.0.0.0:${new URL(running.url).port} (data: ${config.eventStoreUrl}, ${config.readModelUrl})`,
  );
  // Graceful: stop taking requests, let those in flight finish, let each in-process projector
  // finish the batch it is applying (its checkpoint commits with it), then close the stores.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
