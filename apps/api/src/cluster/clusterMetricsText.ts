import { AggregatorRegistry, type Registry } from 'prom-client';
import type { PrimaryMessage, WorkerMessage } from './clusterMessages';

/** A scrape that waits longer than this for the primary fails rather than hang the scraper. */
const TIMEOUT_MS = 10_000;

type MetricsAnswer = Extract<PrimaryMessage, { missive: 'metrics' }>;

/**
 * A worker's side of a cluster-wide scrape. Workers share the port, so a scrape reaches one
 * of them at random: it asks the primary, which gathers every worker's registry (prom-client's
 * AggregatorRegistry protocol) and sums them, so counters and histograms count every request
 * whichever worker served it.
 */
export function clusterMetricsText(
  registry: Registry,
  send: (message: WorkerMessage) => void,
): { text: () => Promise<string>; answer: (message: MetricsAnswer) => void } {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one is what makes this worker answer the primary's requests for its metrics.
  new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, (answer: MetricsAnswer) => void>();
  return {
    text: () =>
      new Promise((resolve, reject) => {
        const requestId = next++;
        const timer = setTimeout(() => {
          pending.delete(requestId);
          reject(new Error('the cluster primary did not answer for its metrics'));
        }, TIMEOUT_MS);
        pending.set(requestId, (answer) => {
          clearTimeout(timer);
          if (answer.text !== undefined) resolve(answer.text);
          else reject(new Error(answer.error ?? 'no metrics'));
        });
        send({ missive: 'metrics', requestId });
      }),
    answer: (message) => {
      const settle = pending.get(message.requestId);
      pending.delete(message.requestId);
      settle?.(message);
    },
  };
}
