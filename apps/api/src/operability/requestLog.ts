import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';

/**
 * The request id is the client's X-Request-Id when it sends a sane one, else a fresh UUID
 * (Fastify's `genReqId`); it is echoed back, and the same id becomes the `correlationId` in
 * the metadata of every event the request writes, so a log line leads to its events and back.
 */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && header.length > 0 && header.length <= 200
    ? header
    : randomUUID();
}

/** Tokens never reach the logs: Canvas clients may send one as `?access_token=`. */
const ACCESS_TOKEN_PARAM = /([?&]access_token=)[^&]*/gi;

/**
 * One JSON line per request, written when the response ends. Only what an operator reads is
 * serialized (id, method, url, status, time, user): pino-http's full request and response
 * objects, its per-request child logger and nestjs-pino's AsyncLocalStorage scope (a hook on
 * every promise) cost about a tenth of a list request's CPU. The id header goes on the Node
 * response, so that answers written there directly (throttled, streamed) carry it too.
 */
export function requestLogHook(logger: Logger): onRequestHookHandler {
  return (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const started = Date.now();
    const res = reply.raw;
    res.setHeader('X-Request-Id', req.id);
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
      const r = req as AuthenticatedRequest;
      const line = {
        req: {
          id: req.id,
          method: req.method,
          url: req.url.replace(ACCESS_TOKEN_PARAM, '$1[Redacted]'),
        },
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - started,
        correlationId: r.correlationId,
        userId: r.user?.id,
      };
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    done();
  };
}
