import { type Position, encodePosition } from '@missive/event-store';
import type { StoredProjectionStatus } from '@missive/projections';

const COLUMNS = [
  'NAME',
  'KIND',
  'VERSION',
  'CHECKPOINT',
  'HEAD',
  'LAG',
  'PARKED',
  'STATE',
  'REBUILD',
] as const;

/** `status` for a person: one aligned row per projection. */
export function statusTable(statuses: readonly StoredProjectionStatus[]): string {
  const rows = statuses.map((s) => [
    s.name,
    s.kind,
    s.storedVersion === undefined ? String(s.version) : `${s.version} (live ${s.storedVersion})`,
    shortPosition(s.checkpoint),
    shortPosition(s.head),
    s.lag.toLocaleString('en-US'),
    String(s.parked),
    s.state,
    s.rebuild
      ? `v${s.rebuild.version} at ${shortPosition(s.rebuild.checkpoint)}, lag ${s.rebuild.lag.toLocaleString('en-US')}`
      : '-',
  ]);
  const widths = COLUMNS.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n') + '\n';
}

/** `status --json`: positions in their stored text form, times in ISO 8601. */
export function statusJson(statuses: readonly StoredProjectionStatus[]): string {
  return (
    JSON.stringify(
      statuses.map((s) => ({
        ...s,
        checkpoint: encodePosition(s.checkpoint),
        head: encodePosition(s.head),
        ...(s.rebuild
          ? { rebuild: { ...s.rebuild, checkpoint: encodePosition(s.rebuild.checkpoint) } }
          : {}),
      })),
      null,
      2,
    ) + '\n'
  );
}

/** SQLite positions have equal halves (the global sequence): show the number once. */
export function shortPosition(position: Position | 'start'): string {
  if (position === 'start') return 'start';
  return position.commit === position.prepare ? String(position.commit) : encodePosition(position);
}
