import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AuthenticatedRequest } from '../auth/authenticatedRequest';

/**
 * The request id is the client's X-Request-Id when it sends a sane one, else a fresh UUID; it
 * is echoed back, and the same id becomes the `correlationId` in the metadata of every event
 * the request writes, so a log line leads to its events and back.
 */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const header = req.headers['x-request-id'];
  const id =
    typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Tokens never reach the logs: Canvas clients may send one as `?access_token=`. */
const ACCESS_TOKEN_PARAM = /([?&]access_token=)[^&]*/gi;

/**
 * One JSON line per request, written when the response ends. Only what an operator reads is
 * serialized (id, method, url, status, time, user): pino-http's full request and response
 * objects, its per-request child logger and nestjs-pino's AsyncLocalStorage scope (a hook on
 * every promise) cost about a tenth of a list request's CPU.
 */
export function requestLogMiddleware(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    const id = requestIdOf(req, res);
    (req as AuthenticatedRequest).id = id;
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
      const r = req as AuthenticatedRequest;
      const line = {
        req: {
          id,
          method: req.method,
          url: req.originalUrl.replace(ACCESS_TOKEN_PARAM, '$1[Redacted]'),
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
    next();
  };
}
