import type { IncomingHttpHeaders } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import getRawBody from 'raw-body';
import { httpError } from './httpError';

/**
 * The whole request body, read as Express's body-parser read it: with raw-body (its errors,
 * `entity.too.large`, `request.size.invalid`, `request.aborted`, come out with the same status
 * and type), compressed bodies (gzip, deflate, br) inflated with the limit applied to what they
 * inflate to, and the request drained after a refusal so the connection stays usable.
 */
export async function readBody(
  payload: Readable,
  headers: IncomingHttpHeaders,
  limit: number,
): Promise<Buffer> {
  const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase();
  const inflate = inflaterFor(encoding);
  if (inflate === null) {
    await drain(payload);
    throw httpError(415, `unsupported content encoding "${encoding}"`, 'encoding.unsupported');
  }
  const inflater = inflate?.();
  const stream: Readable = inflater ? payload.pipe(inflater) : payload;
  try {
    // A declared length counts only when nothing inflates the body.
    return await getRawBody(stream, { limit, length: inflater ? null : headers['content-length'] });
  } catch (error) {
    if (inflater) {
      payload.unpipe(inflater);
      inflater.destroy();
    }
    await drain(payload);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number') throw error;
    // A corrupt compressed body: zlib's error, refused as body-parser refused it.
    throw httpError(400, (error as Error).message, 'encoding.invalid');
  }
}

/** undefined: no inflating needed; null: an encoding body-parser did not know either. */
function inflaterFor(encoding: string): (() => Transform) | undefined | null {
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip;
    case 'deflate':
      return createInflate;
    case 'br':
      return createBrotliDecompress;
    default:
      return null;
  }
}

/** Reads off what is left, as body-parser did before answering. */
function drain(payload: Readable): Promise<void> {
  if (payload.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    payload.once('end', resolve);
    payload.once('error', () => resolve());
    payload.resume();
  });
}
