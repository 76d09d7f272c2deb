import { HttpException, Logger } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { requestIdOf } from '../operability/requestLog';
import { renderHttpError } from './canvasExceptionFilter';
import { parseQueryString } from './parseQueryString';

/**
 * The HTTP server, set up to answer as the Express one did: routes match in any case and with
 * or without a trailing slash, no route parameter length limit short of Node's header limit,
 * Canvas bracket names in queries, Node's own keep-alive and request timeouts (Fastify would
 * announce 72 s keep-alive and wait on a request for ever), and requests that arrive while
 * closing still served. Nest middleware is not used: every cross-cutting step is a Fastify
 * hook (see app.ts), so middie is left out.
 *
 * `requestHooks` are the first request hooks, in order; they also run for a path the router
 * cannot decode (`/users/%FF`), which Fastify refuses before any hook, so that it is logged,
 * timed and throttled, then refused in the dialect's shape as Express refused it (a 400).
 */
export function createHttpAdapter(requestHooks: readonly onRequestHookHandler[]): FastifyAdapter {
  const logger = new Logger('CanvasExceptionFilter');
  const adapter = new FastifyAdapter({
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      maxParamLength: 16 * 1024,
      querystringParser: parseQueryString,
    },
    genReqId: requestIdOf,
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
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
  return adapter;
}
