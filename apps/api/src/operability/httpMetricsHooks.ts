import type {
  FastifyReply,
  FastifyRequest,
  onRequestHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import type { Metrics } from './metrics';

const ROUTED = Symbol('missive.routed');

type TimedRequest = FastifyRequest & { [ROUTED]?: true };

/**
 * Times every request. The route label is the matched template (`/api/v1/conversations/:id`),
 * never the raw path, so ids do not explode the label set. A request answered before it
 * reached its route's handler (unknown path, unreadable body, an Idempotency-Key refusal or
 * replay) is `unmatched`, as it was when Express labelled only what its router dispatched:
 * `preHandler` must be added after every pre-handler hook that may answer.
 */
export function httpMetricsHooks(metrics: Metrics): {
  onRequest: onRequestHookHandler;
  preHandler: preHandlerHookHandler;
} {
  return {
    onRequest: (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      const end = metrics.httpDuration.startTimer();
      reply.raw.once('finish', () => {
        const route = (req as TimedRequest)[ROUTED] ? req.routeOptions.url : undefined;
        end({
          method: req.method,
          route: route ?? 'unmatched',
          status: String(reply.raw.statusCode),
        });
      });
      done();
    },
    preHandler: (req: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
      (req as TimedRequest)[ROUTED] = true;
      done();
    },
  };
}
