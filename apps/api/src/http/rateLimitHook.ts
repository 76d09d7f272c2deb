import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ServerResponse } from 'node:http';
import { accessTokenOf } from '../auth/accessTokenOf';
import { hashToken } from '../auth/tokenHash';
import type { CanvasThrottle } from '../rateLimits/rateLimits';
import type { Admission } from './rateLimiter';
import { rubyFloat } from './rubyFloat';
import { pathOf } from './requestPath';

export const RATE_LIMIT_EXCEEDED = '403 Forbidden (Rate Limit Exceeded)\n';

/**
 * Liveness probes come from the orchestrator's one address; unauthenticated traffic sharing that
 * address (e.g. through a proxy) must not get the instance killed for failing its health check.
 */
const EXEMPT = /^\/health\/?$/;
/** The Comms API (/v1) limits per credential on its own, with Twilio's 429 (comms/commsAuthGuard). */
const OWN_LIMIT = /^\/v1(\/|$)/;

/**
 * Canvas's throttle as a request hook, run before the body is read as
 * Canvas's Rack middleware sits ahead of Rails: a throttled request is answered without its
 * body being read, and never reaches a guard or a handler.
 */
export function rateLimitHook(limiter: CanvasThrottle): onRequestHookHandler {
  return (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const path = pathOf(req);
    if (EXEMPT.test(path) || OWN_LIMIT.test(path) || isUnthrottled(req)) return done();
    const admission = limiter.admit(clientKeyOf(req));
    // Buckets in this process answer at once; shared ones (primary, Redis) over a round trip.
    if (admission instanceof Promise) {
      admission.then(
        (admitted) => enforce(admitted, reply, done),
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
    } else enforce(admission, reply, done);
  };
}

function enforce(admission: Admission, reply: FastifyReply, done: () => void): void {
  const throttled = !admission.allowed;
  const res = reply.raw;
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  // The headers must carry the cost, and the cost runs until the answer is ready: settle at
  // the last moment headers can still be set. Every Node response passes through writeHead.
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    const { cost, remaining } = admission.settle();
    if (!throttled) this.setHeader('X-Request-Cost', rubyFloat(cost));
    this.setHeader('X-Rate-Limit-Remaining', rubyFloat(remaining));
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
  // A client that hangs up before any answer still gets its pre-flight cost back.
  res.once('close', () => admission.settle());
  // Or one that hung up while a shared bucket was being asked.
  if (res.closed) admission.settle();
  if (throttled) {
    // Ended on the Node response as Rack ends it: no serializer, no send hooks (no ETag).
    reply.hijack();
    res.statusCode = 403;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(RATE_LIMIT_EXCEEDED);
    return;
  }
  done();
}

/** A route registered with `config: { [UNTHROTTLED]: true }` answers ahead of the throttle. */
export const UNTHROTTLED = 'missive.unthrottled';

function isUnthrottled(req: FastifyRequest): boolean {
  return (
    (req.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[UNTHROTTLED] ===
    true
  );
}

/**
 * Canvas keys a bucket by the first of several identities; here the access token's hash, else
 * the caller's address. The body is not parsed yet, so a token sent only in the body counts
 * against the address (Canvas reads the token for throttling from header and query alone too).
 */
function clientKeyOf(req: FastifyRequest): string {
  const token = accessTokenOf(req);
  if (token) return `token:${hashToken(token)}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}
