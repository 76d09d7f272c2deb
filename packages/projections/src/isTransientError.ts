const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

const TRANSIENT_SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|PROTOCOL|CANTOPEN|INTERRUPT)/;

/**
 * PostgreSQL SQLSTATE classes and codes that say "try again later", not "this event is bad":
 * connection exceptions (08), serialization failure and deadlock (40001, 40P01), insufficient
 * resources (53), operator intervention / shutdown (57P0x), system errors (58).
 */
const TRANSIENT_PG_CODES = /^(08|53|58|40001$|40P01$|57P0[1-4]$)/;

const TRANSIENT_MESSAGES =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|database is locked/i;

/**
 * Whether a failure comes from the infrastructure (database unreachable, locked, restarting)
 * rather than from the event being projected. The runner retries transient failures later
 * instead of parking events: parking a healthy event because the database blinked would
 * silently lose it from the read model.
 */
export function isTransientError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') return false;
    const { code, message, cause } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') {
      if (TRANSIENT_NODE_CODES.has(code)) return true;
      if (TRANSIENT_SQLITE_CODES.test(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && TRANSIENT_PG_CODES.test(code)) return true;
    }
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}
