import { Writable } from 'node:stream';

/**
 * A log destination that drops everything. The API logs one JSON line per request; in a
 * benchmark they are still formatted (pino's cost is part of every request, as in
 * production) but dropped, so the figures are not thousands of log lines apart.
 */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
