import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import etag from 'etag';
import fresh from 'fresh';

/**
 * Express's `res.send()`, with the same `etag` and `fresh` packages: a weak ETag on every answer
 * with a body, and 304 Not Modified to a GET or HEAD whose If-None-Match matches it. Clients may
 * cache on it, so the answers keep carrying it exactly as they did.
 */
export const weakEtagHook: onSendHookHandler = (
  req: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
) => {
  if (
    (typeof payload !== 'string' && !Buffer.isBuffer(payload)) ||
    reply.hasHeader('etag') ||
    // A replayed answer carries the first one's headers, ETag included, as they were.
    reply.hasHeader('idempotent-replayed')
  ) {
    return done(null, payload);
  }
  const tag = etag(payload, { weak: true });
  reply.header('ETag', tag);
  const status = reply.statusCode;
  if (
    (req.method === 'GET' || req.method === 'HEAD') &&
    ((status >= 200 && status < 300) || status === 304) &&
    fresh(req.headers, { etag: tag })
  ) {
    reply.code(304).removeHeader('content-type').removeHeader('content-length');
    return done(null, null);
  }
  done(null, payload);
};
