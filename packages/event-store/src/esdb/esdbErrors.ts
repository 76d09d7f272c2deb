import {
  AccessDeniedError,
  InvalidArgumentError,
  StreamDeletedError,
  UnsupportedError,
  isCommandError,
} from '@eventstore/db-client';
import { UnknownPositionError } from '../unknownPositionError';

// gRPC status codes that no retry can change (the call itself is wrong or not allowed).
const INVALID_ARGUMENT = 3;
const PERMISSION_DENIED = 7;
const FAILED_PRECONDITION = 9;
const OUT_OF_RANGE = 11;
const UNIMPLEMENTED = 12;
const UNAUTHENTICATED = 16;
const PERMANENT_CODES = new Set([
  INVALID_ARGUMENT,
  PERMISSION_DENIED,
  FAILED_PRECONDITION,
  OUT_OF_RANGE,
  UNIMPLEMENTED,
  UNAUTHENTICATED,
]);

/**
 * The server's refusal of a `$all` read or subscription from a position that is not a record's
 * start. KurrentDB answers gRPC InvalidArgument "Trying to read from an invalid position."
 * (older servers: Unknown "Unexpected ReadAllResult: InvalidPosition"); neither carries the
 * `exception` key the 6.x client maps, so it arrives as an UnknownError with that message.
 */
export function isInvalidPositionError(error: unknown): boolean {
  return (
    error instanceof Error && isCommandError(error) && /invalid ?position/i.test(error.message)
  );
}

/**
 * Whether resubscribing can help. Connection drops, leader changes, timeouts and unknown server
 * failures can; a refused position, missing rights, a deleted stream, an unsupported feature
 * or a programming error cannot, and retrying them would only hide them.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UnknownPositionError || isInvalidPositionError(error)) return false;
  if (
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnsupportedError ||
    error instanceof StreamDeletedError
  ) {
    return false;
  }
  if (error instanceof Error && isCommandError(error)) {
    const code = (error as { code?: unknown }).code;
    return !(typeof code === 'number' && PERMANENT_CODES.has(code));
  }
  return !(error instanceof TypeError || error instanceof RangeError);
}
