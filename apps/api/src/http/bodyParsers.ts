import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import { parse } from 'qs';
import { httpError } from './httpError';
import { pathOf } from './requestPath';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './jsonDepth';
import { readBody } from './readBody';

const MB = 1024 * 1024;
const PARAMETER_LIMIT = 1000;

export interface BodyParserOptions {
  /** Its body is kept as the exact bytes sent, whatever the content type (an HMAC covers them). */
  readonly rawPath: string;
  /** JSON bodies under these paths may reach `largeJsonLimit` bytes; elsewhere 1 MB. */
  readonly largeJsonPath: string;
  readonly largeJsonLimit: number;
}

/**
 * The request bodies Express's body-parser read, read the same way: JSON (strict: an object or
 * an array; empty is `{}`) and forms (qs, extended, Canvas's bracket names) of 1 MB, any type
 * raw on `rawPath`, and any other type left unread with no body. The limits follow the path,
 * as the parsers were mounted by path, so they hold for unmatched routes too.
 */
export function registerBodyParsers(app: FastifyInstance, options: BodyParserOptions): void {
  const isRaw = mountedAt(options.rawPath);
  const isLargeJson = mountedAt(options.largeJsonPath);
  const raw = (req: FastifyRequest, payload: IncomingMessage) => readBody(payload, req.headers, MB);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    async (req: FastifyRequest, payload: IncomingMessage) => {
      const path = pathOf(req);
      if (isRaw(path)) return raw(req, payload);
      const charset = charsetOf(req.headers) ?? 'utf-8';
      if (!charset.startsWith('utf-')) throw unsupportedCharset(charset);
      const limit = isLargeJson(path) ? options.largeJsonLimit : MB;
      return parseJson(decode(await readBody(payload, req.headers, limit), charset));
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    async (req: FastifyRequest, payload: IncomingMessage) => {
      if (isRaw(pathOf(req))) return raw(req, payload);
      const charset = charsetOf(req.headers) ?? 'utf-8';
      if (charset !== 'utf-8' && charset !== 'iso-8859-1') throw unsupportedCharset(charset);
      return parseForm(decode(await readBody(payload, req.headers, MB), charset), charset);
    },
  );
  app.addContentTypeParser('*', async (req: FastifyRequest, payload: IncomingMessage) => {
    if (isRaw(pathOf(req))) return raw(req, payload);
    return undefined;
  });
}

/** Express's `app.use(path, ...)`: the path itself and everything below it, in any case. */
function mountedAt(prefix: string): (path: string) => boolean {
  const lower = prefix.toLowerCase();
  return (path) => {
    const p = path.toLowerCase();
    return p === lower || p.startsWith(`${lower}/`);
  };
}

function charsetOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(headers['content-type'] ?? '');
  return match?.[1]?.toLowerCase();
}

function unsupportedCharset(charset: string): Error {
  return httpError(415, `unsupported charset "${charset.toUpperCase()}"`, 'charset.unsupported');
}

function decode(body: Buffer, charset: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw unsupportedCharset(charset);
  }
  return decoder.decode(body);
}

/**
 * body-parser's strict JSON: anything but an object or an array is a syntax error; so is
 * nesting deeper than MAX_JSON_DEPTH, refused here before the validation pipes recurse into it.
 */
function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = /^[ \t\n\r]*([^ \t\n\r])/.exec(text)?.[1];
  try {
    if (first !== '{' && first !== '[')
      throw new SyntaxError(`Unexpected token ${first ?? 'end'}: JSON must be an object or array`);
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH))
      throw new SyntaxError(`JSON nesting deeper than ${MAX_JSON_DEPTH} levels`);
    return JSON.parse(text);
  } catch (error) {
    throw Object.assign(error as SyntaxError, {
      status: 400,
      statusCode: 400,
      expose: true,
      type: 'entity.parse.failed',
    });
  }
}

/** body-parser's extended forms: qs with its limits (1,000 parameters, depth 32, strict). */
function parseForm(text: string, charset: string): unknown {
  if (text.length === 0) return {};
  let count = 1;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++count > PARAMETER_LIMIT)
      throw httpError(413, 'too many parameters', 'parameters.too.many');
  }
  try {
    return parse(text, {
      allowPrototypes: true,
      arrayLimit: Math.max(100, count),
      depth: 32,
      charset: charset as 'utf-8' | 'iso-8859-1',
      parameterLimit: PARAMETER_LIMIT,
      strictDepth: true,
    });
  } catch (error) {
    if (error instanceof RangeError)
      throw httpError(400, 'The input exceeded the depth', 'querystring.parse.rangeError');
    throw error;
  }
}
