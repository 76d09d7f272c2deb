import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { UNTHROTTLED } from '../http/rateLimitHook';
import { buildOpenApiDocument } from './openApiDocument';

/**
 * Serves the document at `GET /openapi.json`, built on first request (scanning every route
 * costs tens of milliseconds that start-up need not pay). Registered on the HTTP server,
 * outside Nest's guards, and answered ahead of the throttle: the API description is public.
 */
export function serveOpenApi(app: INestApplication, server: FastifyInstance): void {
  let document: OpenAPIObject | undefined;
  server.get('/openapi.json', { config: { [UNTHROTTLED]: true } }, (_req, reply) => {
    document ??= buildOpenApiDocument(app);
    return reply.send(document);
  });
}
