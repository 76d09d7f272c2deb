import { AppConfig, ConfigError, loadConfig } from './config/appConfig';
import { startApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig(AppConfig, process.env);
  const running = await startApp(config);
  console.log(
    `Missive API listening on http://0.0.0.0:${new URL(running.url).port} (data: ${config.eventStoreUrl}, ${config.readModelUrl})`,
  );
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
