/** What the cluster primary and its HTTP workers tell each other over IPC. */
export type WorkerMessage =
  /** The worker serves HTTP at `url`. */
  | { readonly missive: 'listening'; readonly url: string }
  /** The worker appended: the projection should look at the log now, not at its next poll. */
  | { readonly missive: 'wake'; readonly projection: string }
  /** `/metrics` was scraped here: the primary answers with every worker's metrics, summed. */
  | { readonly missive: 'metrics'; readonly requestId: number };

export type PrimaryMessage =
  /** A projection committed up to `position` (encoded): waiting commands may answer. */
  | { readonly missive: 'committed'; readonly projection: string; readonly position: string }
  /** Finish the requests in flight, close the stores, exit. */
  | { readonly missive: 'shutdown' }
  /** The answer to a worker's `metrics`: the cluster's text, or why there is none. */
  | {
      readonly missive: 'metrics';
      readonly requestId: number;
      readonly text?: string;
      readonly error?: string;
    };

const isMissive = (message: unknown) =>
  typeof message === 'object' && message !== null && 'missive' in message;

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return isMissive(message);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return isMissive(message);
}
