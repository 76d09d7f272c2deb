import type { ProjectionLogger } from '@missive/projections';

/** The notifier logs like the projectors (one JSON object per line); silent when not given one. */
export type NotifierLogger = ProjectionLogger;

export const SILENT_LOGGER: NotifierLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
