import type { NextFunction, Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { accessTokenOf } from '../auth/accessTokenOf';
import { hashToken } from '../auth/tokenHash';
import { errorItem } from '../comms/commsError';
import type { IdempotencyKeys } from './idempotencyKeys';

export const IDEMPOTENCY_KEY = 'idempotency-key';
export const IDEMPOTENT_REPLAYED = 'Idempotent-Replayed';

/** The key a request claimed, for handlers that make their writes retry-safe with it. */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  /** When this request first claimed the key: kept when a retry takes over a dead attempt. */
  readonly since: number;
}

type ClaimingRequest = Request & { idempotency?: IdempotencyClaim };

export function idempotencyClaimOf(req: Request): IdempotencyClaim | undefined {
  return (req as ClaimingRequest).idempotency;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Visible ASCII, as the IETF draft's examples and Stripe's keys (UUIDs, ULIDs) are. */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
/**
 * Headers that describe this one exchange rather than the answer: a replay gets fresh ones
 * (its own rate-limit cost, request id and date), not the first request's.
 */
const NOT_REPLAYED = new Set([
  'x-request-cost',
  'x-rate-limit-remaining',
  'x-request-id',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
]);

/**
 * `Idempotency-Key` on requests that change something (DESIGN §5; the IETF
 * httpapi-idempotency-key-header draft): the same key with the same request gives the first
 * answer again, byte for byte, and writes nothing; the same key with another request is a 422;
 * while the first is still being answered, a 409. Keys are per credential, so two callers
 * never see each other's answers. Only successful answers are kept: a refused or failed
 * request wrote nothing (every handler refuses before it appends), so its retry runs afresh.
 * Mounted after the body parsers: the body is part of what makes two requests the same.
 */
export function idempotencyMiddleware(keys: IdempotencyKeys) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const key = req.get(IDEMPOTENCY_KEY);
    if (key === undefined || !UNSAFE.has(req.method)) return next();
    if (!VALID_KEY.test(key)) {
      refuse(req, res, 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
      return;
    }
    const scope = scopeOf(req);
    const fingerprint = fingerprintOf(req);
    keys.claim(scope, key, fingerprint).then(
      (claim) => {
        switch (claim.kind) {
          case 'replay':
            res.status(claim.response.status);
            for (const [name, value] of Object.entries(claim.response.headers))
              res.setHeader(name, value);
            res.setHeader(IDEMPOTENT_REPLAYED, 'true');
            res.end(claim.response.body);
            return;
          case 'mismatch':
            refuse(req, res, 422, 'This Idempotency-Key was already used for a different request.');
            return;
          case 'in-flight':
            refuse(
              req,
              res,
              409,
              'A request with this Idempotency-Key is still being processed; retry later.',
            );
            return;
          case 'claimed':
            (req as ClaimingRequest).idempotency = { scope, key, since: claim.since };
            recordAnswer(res, (response) =>
              response.status >= 200 && response.status < 300
                ? keys.complete(scope, key, fingerprint, response)
                : keys.release(scope, key, fingerprint),
            );
            // A request that dies without an answer (client gone, exception) frees its key.
            res.once('close', () => {
              if (!res.writableFinished) keys.release(scope, key, fingerprint).catch(() => {});
            });
            next();
            return;
        }
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * Holds the answer back until it is recorded, so that a client retrying the moment it has the
 * answer already finds it stored, then lets it go out unchanged.
 */
function recordAnswer(
  res: Response,
  record: (response: {
    status: number;
    headers: Record<string, string>;
    body: string;
  }) => Promise<void>,
): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  const collect = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(
            chunk as string,
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          ),
    );
  };
  res.write = function (chunk: unknown, ...rest: unknown[]) {
    collect(chunk, rest[0]);
    return write(chunk, ...rest);
  } as Response['write'];
  res.end = function (...args: unknown[]) {
    collect(args[0], args[1]);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.getHeaders())) {
      if (value === undefined || NOT_REPLAYED.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    record({ status: res.statusCode, headers, body: Buffer.concat(chunks).toString('utf8') }).then(
      () => end(...args),
      () => end(...args),
    );
    return res;
  } as Response['end'];
}

/** The credential the request presents; requests without one share their address's scope. */
function scopeOf(req: Request): string {
  const token = accessTokenOf(req);
  if (token) return `token:${hashToken(token)}`;
  const authorization = req.get('authorization');
  if (authorization) return `auth:${hashToken(authorization)}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/** What makes two requests the same one: method, path with query, and the parsed body. */
function fingerprintOf(req: Request): string {
  const hash = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`);
  if (Buffer.isBuffer(req.body)) hash.update(req.body);
  else if (req.body !== undefined) hash.update(JSON.stringify(req.body));
  return hash.digest('hex');
}

/** The refusal in the dialect of the route: Comms (`/v1/`) or Canvas. */
function refuse(req: Request, res: Response, status: number, message: string): void {
  const body = req.path.startsWith('/v1/')
    ? {
        errors: [errorItem(status === 422 ? 20422 : status === 409 ? 20409 : 70002, message, null)],
      }
    : { errors: [{ message }] };
  res.status(status).json(body);
}
