import type {
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerHookHandler,
} from 'fastify';
import { createHash } from 'node:crypto';
import { accessTokenOf } from '../auth/accessTokenOf';
import { hashToken } from '../auth/tokenHash';
import { errorItem } from '../comms/commsError';
import { pathOf } from '../http/requestPath';
import type { IdempotencyKeys } from './idempotencyKeys';

export const IDEMPOTENCY_KEY = 'idempotency-key';
export const IDEMPOTENT_REPLAYED = 'Idempotent-Replayed';

/** The key a request claimed, for handlers that make their writes retry-safe with it. */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  /** When this request first claimed the key: kept when a retry takes over a dead attempt. */
  readonly since: number;
  /** What makes two requests with the key the same one. */
  readonly fingerprint: string;
  /** Where the claim is kept (and the ids it fixed: see requestIds). */
  readonly keys: IdempotencyKeys;
}

/** What the send hook needs to record the answer of a request that claimed a key. */
interface Claiming {
  idempotency?: IdempotencyClaim;
  idempotencyFingerprint?: string;
}

type ClaimingRequest = FastifyRequest & Claiming;

export function idempotencyClaimOf(req: FastifyRequest): IdempotencyClaim | undefined {
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
 * `Idempotency-Key` on requests that change something (the IETF
 * httpapi-idempotency-key-header draft): the same key with the same request gives the first
 * answer again, byte for byte, and writes nothing; the same key with another request is a 422;
 * while the first is still being answered, a 409. Keys are per credential, so two callers
 * never see each other's answers. Only successful answers are kept: a refused or failed
 * request wrote nothing (every handler refuses before it appends), so its retry runs afresh.
 * A pre-handler hook, so after the body is parsed: the body is part of what makes two
 * requests the same. The answer is recorded by `idempotencyRecordHook`.
 */
export function idempotencyClaimHook(keys: IdempotencyKeys): preHandlerHookHandler {
  // A hook that answers returns the reply: the hook then ends when the answer is written, so
  // Fastify runs neither the later hooks nor the handler (an answer still in its send hooks
  // does not yet count as sent).
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const key = req.headers[IDEMPOTENCY_KEY];
    if (typeof key !== 'string' || !UNSAFE.has(req.method)) return undefined;
    if (!VALID_KEY.test(key)) {
      return refuse(req, reply, 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
    }
    const scope = scopeOf(req);
    const fingerprint = fingerprintOf(req);
    const claim = await keys.claim(scope, key, fingerprint);
    switch (claim.kind) {
      case 'replay':
        return reply
          .code(claim.response.status)
          .headers(claim.response.headers)
          .header(IDEMPOTENT_REPLAYED, 'true')
          .send(claim.response.body);
      case 'mismatch':
        return refuse(
          req,
          reply,
          422,
          'This Idempotency-Key was already used for a different request.',
        );
      case 'in-flight':
        return refuse(
          req,
          reply,
          409,
          'A request with this Idempotency-Key is still being processed; retry later.',
        );
      case 'claimed': {
        const claiming = req as ClaimingRequest;
        claiming.idempotency = { scope, key, since: claim.since, fingerprint, keys };
        claiming.idempotencyFingerprint = fingerprint;
        // A request that dies without an answer (client gone, exception) frees its key.
        const res = reply.raw;
        res.once('close', () => {
          if (!res.writableFinished) keys.release(scope, key, fingerprint).catch(() => {});
        });
        return undefined;
      }
    }
  };
}

/**
 * Records the answer of a request that claimed a key (a 2xx is kept, anything else frees the
 * key) and holds it back until recorded, so that a client retrying the moment it has the
 * answer already finds it stored; then lets it go out unchanged. A send hook sees the body as
 * it will be written, headers and status final (bar the per-exchange ones, not replayed).
 */
export function idempotencyRecordHook(keys: IdempotencyKeys): onSendHookHandler {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const { idempotency: claim, idempotencyFingerprint: fingerprint } = req as ClaimingRequest;
    if (!claim || fingerprint === undefined) return payload;
    // Once only: an answer that fails to serialize comes through here again as an error.
    (req as ClaimingRequest).idempotency = undefined;
    const { scope, key } = claim;
    const status = reply.statusCode;
    try {
      if (status >= 200 && status < 300) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(reply.getHeaders())) {
          if (value === undefined || NOT_REPLAYED.has(name)) continue;
          headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        await keys.complete(scope, key, fingerprint, { status, headers, body: bodyOf(payload) });
      } else await keys.release(scope, key, fingerprint);
    } catch {
      // The answer goes out all the same; the key's lease lets a retry take over later.
    }
    return payload;
  };
}

function bodyOf(payload: unknown): string {
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return '';
}

/** The credential the request presents; requests without one share their address's scope. */
function scopeOf(req: FastifyRequest): string {
  const token = accessTokenOf(req);
  if (token) return `token:${hashToken(token)}`;
  const authorization = req.headers.authorization;
  if (authorization) return `auth:${hashToken(authorization)}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/** What makes two requests the same one: method, path with query, and the parsed body. */
function fingerprintOf(req: FastifyRequest): string {
  const hash = createHash('sha256').update(`${req.method} ${req.url}\n`);
  if (Buffer.isBuffer(req.body)) hash.update(req.body);
  else if (req.body !== undefined) hash.update(JSON.stringify(req.body));
  return hash.digest('hex');
}

/** The refusal in the dialect of the route: Comms (`/v1/`) or Canvas. */
function refuse(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  const body = pathOf(req).startsWith('/v1/')
    ? {
        errors: [errorItem(status === 422 ? 20422 : status === 409 ? 20409 : 70002, message, null)],
      }
    : { errors: [{ message }] };
  return reply.code(status).send(body);
}
