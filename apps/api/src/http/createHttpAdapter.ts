import { HttpException, Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { requestIdOf } from '../operability/requestLog';
import { renderHttpError } from './canvasExceptionFilter';
import { parseQueryString } from './parseQueryString';

export interface HttpServerSettings {
  /** Time a client has to send a request's headers. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send its whole request, body included. */
  readonly requestTimeoutMs: number;
  /** Time an idle keep-alive connection waits for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections at most; new ones past it are closed at once. */
  readonly maxConnections: number;
}

/** How often Node looks for requests past their timeouts (its default, 30 s, outlasts them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * The HTTP server, set up to answer as the Express one did: routes match in any case and with
 * or without a trailing slash, no route parameter length limit short of Node's header limit,
 * Canvas bracket names in queries, bounded header, request and keep-alive times and a
 * connection cap (`settings`: a client that trickles its request gets a 408 and is closed
 * within a second of its time running out), and requests that arrive while
 * closing still served. Nest middleware is not used: every cross-cutting step is a Fastify
 * hook (see app.ts), so middie is left out.
 *
 * `requestHooks` are the first request hooks, in order; they also run for a path the router
 * cannot decode (`/users/%FF`), which Fastify refuses before any hook, so that it is logged,
 * timed and throttled, then refused in the dialect's shape as Express refused it (a 400).
 */
export function createHttpAdapter(
  requestHooks: readonly onRequestHookHandler[],
  settings: HttpServerSettings,
): FastifyAdapter {
  const logger = new Logger('CanvasExceptionFilter');
  const adapter = new FastifyAdapter({
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      maxParamLength: 16 * 1024,
      querystringParser: parseQueryString,
    },
    genReqId: requestIdOf,
    // Passed to http.createServer: the checking interval can only be set there.
    http: {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    return503OnClosing: false,
    skipMiddie: true,
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const server = adapter.getInstance();
      const noop = () => undefined;
      for (const hook of requestHooks) {
        void hook.call(server, req, reply, noop);
        if (reply.sent) return;
      }
      renderHttpError(
        new HttpException(error.message, error.statusCode ?? 400),
        req,
        reply,
        logger,
      );
    },
  });
  for (const hook of requestHooks) adapter.getInstance().addHook('onRequest', hook);
  adapter.getInstance().server.maxConnections = settings.maxConnections;
  return adapter;
}
