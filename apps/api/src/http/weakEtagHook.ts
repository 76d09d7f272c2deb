import type { FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Express's `res.send()`: a weak ETag on every answer with a body (the `etag` package's form,
 * byte length and SHA-1), and 304 Not Modified to a GET or HEAD whose If-None-Match matches
 * it. Clients may cache on it, so the answers keep carrying it exactly as they did.
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
  const etag = weakEtag(payload);
  reply.header('ETag', etag);
  const status = reply.statusCode;
  if (
    (req.method === 'GET' || req.method === 'HEAD') &&
    ((status >= 200 && status < 300) || status === 304) &&
    fresh(req.headers, etag)
  ) {
    reply.code(304).removeHeader('content-type').removeHeader('content-length');
    return done(null, null);
  }
  done(null, payload);
};

function weakEtag(body: string | Buffer): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const hash = createHash('sha1').update(bytes).digest('base64').substring(0, 27);
  return `W/"${bytes.length.toString(16)}-${hash}"`;
}

const NO_CACHE = /(?:^|,)\s*?no-cache\s*?(?:,|$)/;

/**
 * The `fresh` package as Express used it, for answers without Last-Modified (none here has
 * one): fresh when If-None-Match names this ETag (weakly) or is `*`.
 */
function fresh(headers: IncomingHttpHeaders, etag: string): boolean {
  const noneMatch = headers['if-none-match'];
  const modifiedSince = headers['if-modified-since'];
  if (!noneMatch && !modifiedSince) return false;
  const cacheControl = headers['cache-control'];
  if (cacheControl && NO_CACHE.test(cacheControl)) return false;
  // If-Modified-Since alone: without Last-Modified the answer is always stale.
  if (!noneMatch) return false;
  if (noneMatch !== '*') {
    const matches = noneMatch.split(',').map((token) => token.trim());
    const same = matches.some(
      (match) => match === etag || match === `W/${etag}` || `W/${match}` === etag,
    );
    if (!same) return false;
  }
  // Both sent: If-Modified-Since must hold too, and without Last-Modified it never does.
  return !modifiedSince;
}
