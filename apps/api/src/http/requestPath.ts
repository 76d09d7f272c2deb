import type { FastifyRequest } from 'fastify';

/** The path the client asked for, without the query: what Express called `req.path`. */
export function pathOf(req: FastifyRequest): string {
  const url = req.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}
