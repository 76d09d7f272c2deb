/**
 * EventStoreDB's default `MaxAppendSize`: the most one append (all its events' data and
 * metadata) may carry. The embedded store refuses the same, so that a write which would fail in
 * production fails on a developer's machine and in CI too.
 */
export const MAX_APPEND_BYTES = 1_048_576;

/** One append carries more than the store accepts; nothing was written. */
export class AppendTooLargeError extends Error {
  override readonly name = 'AppendTooLargeError';

  constructor(
    readonly stream: string,
    /** The append's size as this store counts it; undefined when the server did not say. */
    readonly bytes: number | undefined,
    readonly maxBytes: number,
  ) {
    super(
      `append to ${stream} is too large: ${bytes === undefined ? 'over' : `${bytes} bytes, over`} the ${maxBytes}-byte limit`,
    );
  }
}
