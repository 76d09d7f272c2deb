import { encodePosition, type Position } from './position';

/**
 * A read or subscription asked to start after a position that is not one of the log's events
 * (past the end, inside an event's record, or never handed out by this store). Raised at once:
 * retrying cannot succeed, and a caller's resume token or checkpoint is wrong, not late.
 */
export class UnknownPositionError extends Error {
  override readonly name = 'UnknownPositionError';

  constructor(
    readonly position: Position,
    /** Why the store refused it, in words an operator can act on. */
    readonly reason: string,
  ) {
    super(`${encodePosition(position)} is not the position of an event in this log: ${reason}`);
  }
}
