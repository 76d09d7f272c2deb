import cluster from 'node:cluster';
import { AppConfig, ConfigError, loadConfig } from './config/appConfig';
import { startApp } from './app';
import { runClusterPrimary } from './cluster/clusterPrimary';
import { runClusterWorker } from './cluster/clusterWorker';

async function main(): Promise<void> {
  if (cluster.isWorker) return runClusterWorker(process.env);
  const config = loadConfig(AppConfig, process.env);
  const workers = config.apiWorkers;
  const running =
    workers > 1
      ? await runClusterPrimary(config, workers)
      : await startApp(config).then((app) => ({
          url: app.url,
          stop: () => app.close().then(() => 0),
        }));
  console.log(
    `Missive API listening on http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${new URL(running.url).port} (data: ${config.eventStoreUrl}, ${config.readModelUrl}; ${workers > 1 ? `${workers} HTTP workers` : 'one process'})`,
  );
  // Graceful: stop taking requests, let those in flight finish, let each in-process projector
  // finish the batch it is applying (its checkpoint commits with it), then close the stores.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    running.stop().then(
      (code) => process.exit(code),
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
