import { decodePosition } from '@missive/event-store';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { CommittedPositions } from '../infrastructure/committedPositions';
import { Metrics } from '../operability/metrics';
import { ClusterBuckets } from '../rateLimits/clusterBuckets';
import { clusterMetricsText } from './clusterMetricsText';
import { isPrimaryMessage, type WorkerMessage } from './clusterMessages';

const send = (message: WorkerMessage) => process.send?.(message);

/**
 * An HTTP worker of the cluster: the whole API over the shared stores, without projectors or
 * notifier (the primary runs the only copy). Its NODE_ID, set by the primary, is its own, so
 * the ids it allocates never collide with another worker's.
 */
export async function runClusterWorker(env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(AppConfig, { ...env, RUN_PROJECTORS: 'false', RUN_NOTIFIER: 'false' });
  const committed = new CommittedPositions();
  const metrics = new Metrics();
  const cluster = clusterMetricsText(metrics.registry, send);
  metrics.processText = cluster.text;
  const buckets = new ClusterBuckets(send);
  // Started first; the handlers below are in place before any message can arrive (same tick).
  const starting = startApp(config, {
    wake: (projection) => send({ missive: 'wake', projection }),
    committed,
    metrics,
    buckets,
  });
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    // Asked while still starting: close once started.
    starting
      .then((running) => running.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.on('message', (message) => {
    if (!isPrimaryMessage(message)) return;
    if (message.missive === 'committed') {
      const position = decodePosition(message.position);
      if (position !== 'start') committed.record(message.projection, position);
    } else if (message.missive === 'shutdown') shutdown();
    else if (message.missive === 'metrics') cluster.answer(message);
    else if (message.missive === 'bucket') buckets.answer(message);
  });
  // The primary decides when workers stop: a signal sent to the whole process group (Ctrl-C)
  // reaches it too, and it asks every worker in turn.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  // The primary died without asking: nobody projects or wakes projectors for us any more.
  process.once('disconnect', shutdown);
  const running = await starting;
  if (!stopping) send({ missive: 'listening', url: running.url });
}
