/** Where a runner reports retries, conflicts and parked events (a JSON-lines logger, say). */
export interface ProjectionLogger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** The logger of a runner given none. */
export const NO_LOG: ProjectionLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
