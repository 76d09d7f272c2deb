import type { TakeResult } from '../rateLimits/bucketBackends';

/** What the cluster primary and its HTTP workers tell each other over IPC. */
export type WorkerMessage =
  /** The worker serves HTTP at `url`. */
  | { readonly missive: 'listening'; readonly url: string }
  /** The worker appended: the projection should look at the log now, not at its next poll. */
  | { readonly missive: 'wake'; readonly projection: string }
  /** `/metrics` was scraped here: the primary answers with every worker's metrics, summed. */
  | { readonly missive: 'metrics'; readonly requestId: number }
  /** Charge a client's shared rate-limit bucket, which the primary keeps for every worker. */
  | BucketRequest;

export type BucketRequest =
  | {
      readonly missive: 'bucket';
      readonly requestId: number;
      readonly kind: 'canvas';
      readonly key: string;
      readonly amount: number;
    }
  | {
      readonly missive: 'bucket';
      readonly requestId: number;
      readonly kind: 'comms';
      readonly key: string;
    };

/** The primary's answer to a BucketRequest: the Canvas bucket's level, or the Comms take. */
export type BucketAnswer = {
  readonly missive: 'bucket';
  readonly requestId: number;
  readonly level?: number;
  readonly take?: TakeResult;
};

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
    }
  | BucketAnswer;

const isMissive = (message: unknown) =>
  typeof message === 'object' && message !== null && 'missive' in message;

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return isMissive(message);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return isMissive(message);
}
