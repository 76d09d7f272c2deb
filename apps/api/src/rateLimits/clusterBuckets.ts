import type { RateLimitSettings } from '../http/leakyBucket';
import { CommsRateLimiter } from '../comms/commsRateLimiter';
import type { BucketAnswer, BucketRequest } from '../cluster/clusterMessages';
import type { LeakyBucketBackend, TakeResult, TokenBucketBackend } from './bucketBackends';
import { LocalLeakyBuckets } from './localLeakyBuckets';

/** A worker whose primary does not answer this soon limits on its own for that request. */
const ANSWER_TIMEOUT_MS = 1000;

type Pending = {
  resolve(answer: BucketAnswer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
};

/**
 * A cluster worker's view of the buckets its primary keeps: every worker charges the same
 * bucket per client, so API_WORKERS processes admit what one process does.
 */
export class ClusterBuckets {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  readonly canvas: LeakyBucketBackend = {
    increment: async (key, amount) => {
      const answer = await this.ask((requestId) => ({
        missive: 'bucket',
        requestId,
        kind: 'canvas',
        key,
        amount,
      }));
      return answer.level ?? 0;
    },
  };

  readonly comms: TokenBucketBackend = {
    take: async (key): Promise<TakeResult> => {
      const answer = await this.ask((requestId) => ({
        missive: 'bucket',
        requestId,
        kind: 'comms',
        key,
      }));
      return answer.take ?? { allowed: true };
    },
  };

  constructor(private readonly send: (message: BucketRequest) => void) {}

  /** Hands the primary's answer to the request waiting for it. */
  answer(message: BucketAnswer): void {
    const pending = this.pending.get(message.requestId);
    if (!pending) return;
    this.pending.delete(message.requestId);
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  private ask(make: (requestId: number) => BucketRequest): Promise<BucketAnswer> {
    const requestId = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('the cluster primary did not answer'));
      }, ANSWER_TIMEOUT_MS);
      timer.unref();
      this.pending.set(requestId, { resolve, reject, timer });
      this.send(make(requestId));
    });
  }
}

/** The primary's side: one set of buckets for all its workers, answered from memory. */
export function clusterBucketServer(
  canvas: RateLimitSettings,
  comms: { readonly perSecond: number; readonly burst: number },
): (request: BucketRequest) => BucketAnswer {
  const leaky = new LocalLeakyBuckets(canvas);
  const tokens = new CommsRateLimiter(comms);
  return (request) =>
    request.kind === 'canvas'
      ? {
          missive: 'bucket',
          requestId: request.requestId,
          level: leaky.increment(request.key, request.amount),
        }
      : { missive: 'bucket', requestId: request.requestId, take: tokens.take(request.key) };
}
