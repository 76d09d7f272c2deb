import type { FastifyRequest } from 'fastify';

/**
 * The access token a request presents: `Authorization: Bearer`, else `access_token` in the
 * query, else in the body (only once the body is parsed). A malformed Authorization header
 * gives '' so that it is refused rather than ignored.
 */
export function accessTokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? match[1] : '';
  }
  const fromQuery = (req.query as Record<string, unknown> | undefined)?.['access_token'];
  if (typeof fromQuery === 'string') return fromQuery;
  const fromBody = (req.body as Record<string, unknown> | undefined)?.['access_token'];
  if (typeof fromBody === 'string') return fromBody;
  return undefined;
}
