import type { ProjectionLogger } from '@missive/projections';

/** One JSON object per line on stderr, so log shippers can parse projector output. */
export const consoleProjectionLogger: ProjectionLogger = {
  info: (message, context) => log('info', message, context),
  warn: (message, context) => log('warn', message, context),
  error: (message, context) => log('error', message, context),
};

function log(level: string, message: string, context?: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify(
      { level, time: new Date().toISOString(), msg: message, ...context },
      (_k, v) => (typeof v === 'bigint' ? String(v) : v),
    )}\n`,
  );
}
