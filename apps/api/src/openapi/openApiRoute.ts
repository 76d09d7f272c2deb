import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { buildOpenApiDocument } from './openApiDocument';

/**
 * Serves the document at `GET /openapi.json`, built on first request (scanning every route
 * costs tens of milliseconds that start-up need not pay). Registered on the HTTP adapter,
 * outside Nest's guards: the API description is public.
 */
export function serveOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  app.getHttpAdapter().get('/openapi.json', (_req: Request, res: Response) => {
    document ??= buildOpenApiDocument(app);
    res.json(document);
  });
}
