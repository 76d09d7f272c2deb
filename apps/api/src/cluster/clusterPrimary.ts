import { workerExecArgv } from './workerExecArgv';
import { IdGenerator, MAX_NODE_ID } from '@missive/domain';
import { protectMissiveEventStore } from '@missive/personal-data';
import { createEventStore, encodePosition } from '@missive/event-store';
import type { Notifier } from '@missive/notifications';
import { createDatabase } from '@missive/projections';
import cluster, { type Worker } from 'node:cluster';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { AggregatorRegistry } from 'prom-client';
import { ConfigError, type AppConfig } from '../config/appConfig';
import { startInProcessNotifier } from '../inProcessNotifier';
import { startInProcessProjectors, type InProcessProjectors } from '../inProcessProjectors';
import { clusterBucketServer } from '../rateLimits/clusterBuckets';
import { isWorkerMessage, type PrimaryMessage } from './clusterMessages';

/**
 * The cluster's primary: the one writer of the read models (projectors) and the notifier,
 * plus API_WORKERS HTTP workers sharing the port. Workers wake projectors over IPC after
 * appending, and the primary tells every worker each commit, so read-your-writes in a worker
 * answers as soon as in a single process. Resolves with a `stop` that shuts down in order:
 * workers finish their requests, then projectors and notifier, then the stores.
 */
export async function runClusterPrimary(
  config: AppConfig,
  workers: number,
): Promise<{ url: string; stop(): Promise<number> }> {
  if (config.NODE_ID + workers > MAX_NODE_ID) {
    throw new ConfigError(
      `invalid configuration: NODE_ID + API_WORKERS must be at most ${MAX_NODE_ID} (worker k uses node id NODE_ID + k)`,
    );
  }
  if (!config.EVENT_STORE_URL || !config.READ_MODEL_URL || !config.KEY_STORE_URL)
    mkdirSync(resolve(config.DATA_DIR), { recursive: true });
  // Opened before any worker, so that creating the stores' schemas never races.
  const store = protectMissiveEventStore(
    createEventStore(config.eventStoreUrl),
    config.keyStoreUrl,
  );
  await store.ready();
  const db = createDatabase(config.readModelUrl);
  const broadcast = (message: PrimaryMessage) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message);
    }
  };
  // Collects every worker's per-process metrics over IPC (prom-client's own cluster protocol).
  const aggregator = new AggregatorRegistry();
  // One bucket per client for all workers (unless REDIS_URL shares them more widely).
  const buckets = clusterBucketServer(config.rateLimit, config.comms.rateLimit);
  let projectors: InProcessProjectors | undefined;
  if (config.RUN_PROJECTORS) {
    projectors = await startInProcessProjectors({
      store,
      db,
      keys: store,
      commsRetentionMs: config.commsRetentionMs,
      pollIntervalMs: config.PROJECTOR_POLL_INTERVAL_MS,
      onCommitted: (projection, position) =>
        broadcast({ missive: 'committed', projection, position: encodePosition(position) }),
    });
  }

  let stopping = false;
  /** How the workers ended once asked to: the instance exits 0 only if every one did. */
  const exitCodes: number[] = [];
  const exited = new Map<Worker, Promise<void>>();
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
  const fork = (k: number): Promise<string> =>
    new Promise((resolveUrl, reject) => {
      const worker = cluster.fork({ NODE_ID: String(config.NODE_ID + k) });
      let url: string | undefined;
      worker.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return;
        if (message.missive === 'bucket') {
          if (worker.isConnected()) worker.send(buckets(message));
        } else if (message.missive === 'wake') {
          projectors?.runners.find((r) => r.name === message.projection)?.wake();
        } else if (message.missive === 'metrics') {
          const { requestId } = message;
          const reply = (answer: PrimaryMessage) => {
            if (worker.isConnected()) worker.send(answer);
          };
          aggregator.clusterMetrics().then(
            (text) => reply({ missive: 'metrics', requestId, text }),
            (err: unknown) => reply({ missive: 'metrics', requestId, error: String(err) }),
          );
        } else if (message.missive === 'listening') {
          url = message.url;
          resolveUrl(message.url);
        }
      });
      exited.set(
        worker,
        new Promise((done) =>
          worker.once('exit', (code, signal) => {
            exited.delete(worker);
            done();
            if (stopping) {
              exitCodes.push(code ?? 1);
              return;
            }
            if (!url) {
              reject(new Error(`API worker ${k} exited with ${code ?? signal} while starting`));
              return;
            }
            // A crash costs that worker's requests in flight; the others keep serving.
            console.error(`API worker ${k} exited with ${code ?? signal}: starting another`);
            fork(k).catch((err: unknown) => console.error(err));
          }),
        ),
      );
    });

  const stopServing = async () => {
    stopping = true;
    const shutdown: PrimaryMessage = { missive: 'shutdown' };
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(shutdown);
    }
    await Promise.all(exited.values());
  };
  const closeStores = async () => {
    await notifier?.stop();
    await projectors?.stop();
    await db.destroy();
    await store.close();
  };

  let notifier: Notifier | undefined;
  let urls: string[];
  try {
    urls = await Promise.all(Array.from({ length: workers }, (_, i) => fork(i + 1)));
    if (config.RUN_NOTIFIER) {
      notifier = await startInProcessNotifier(
        config,
        store,
        db,
        new IdGenerator(config.NODE_ID),
        process.env,
      );
    }
  } catch (err) {
    await stopServing();
    await closeStores();
    throw err;
  }
  return {
    url: urls[0]!,
    stop: async () => {
      await stopServing();
      await closeStores();
      return exitCodes.every((code) => code === 0) ? 0 : 1;
    },
  };
}
