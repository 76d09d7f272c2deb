/**
 * A subscription stopped for good: the store refused it for a reason retrying cannot fix, or
 * it kept failing for `attempts` tries in a row. `cause` holds the last error the store raised.
 */
export class SubscriptionFailedError extends Error {
  override readonly name = 'SubscriptionFailedError';

  constructor(
    message: string,
    /** Failures in a row when it gave up (1 when the error was not worth retrying). */
    readonly attempts: number,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}
