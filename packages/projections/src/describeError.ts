const MAX_ERROR_TEXT = 8_000;

/** An error as logs and `status().lastError` show it: the stack, cut to a bounded length. */
export function describeError(error: unknown): string {
  const text =
    error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
