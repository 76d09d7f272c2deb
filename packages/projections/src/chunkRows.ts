/**
 * SQLite binds at most 32,766 parameters per statement and PostgreSQL 65,535; stay well under
 * both so one multi-row statement per chunk always compiles.
 */
export const MAX_BOUND_PARAMETERS = 30_000;

/** Splits rows for multi-row INSERT/UPSERT statements that bind `columnsPerRow` values each. */
export function chunkRows<T>(
  rows: readonly T[],
  columnsPerRow: number,
  maxParameters: number = MAX_BOUND_PARAMETERS,
): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnsPerRow)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
