import type { Position } from '../position';
import { UnknownPositionError } from '../unknownPositionError';
import type { SqliteStatements } from './sqliteStatements';

/**
 * The sequence number a read resumes after. A position is accepted only if an event has it:
 * one past the end, or one this log never handed out, would otherwise read as an empty or live
 * tail and hide the caller's mistake.
 */
export function sequenceAfter(
  stmt: Pick<SqliteStatements, 'hasPosition' | 'maxPosition'>,
  position: Position | 'start' | undefined,
): number {
  if (position === undefined || position === 'start') return 0;
  const { commit, prepare } = position;
  if (commit !== prepare || commit < 1n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UnknownPositionError(position, 'this store gives equal commit and prepare parts');
  }
  const sequence = Number(commit);
  if (stmt.hasPosition.get(sequence) === undefined) {
    const head = stmt.maxPosition.get() as number | null;
    throw new UnknownPositionError(
      position,
      head === null || sequence > head ? 'it is past the end of the log' : 'no event has it',
    );
  }
  return sequence;
}
