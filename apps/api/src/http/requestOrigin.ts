import type { FastifyRequest } from 'fastify';

/**
 * Scheme and host the request came in on, for absolute URLs in answers (Link headers, `url`
 * fields). The Host header as sent: no proxy headers are trusted, as Express trusted none.
 */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host}`;
}
