import type { ExpectedRevision, StreamRevision } from './eventStore';

/** Optimistic-concurrency conflict: `actual` is the stream's last revision, or `no_stream`. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(
      `wrong expected version on ${stream}: expected ${String(expected)}, actual ${String(actual)}`,
    );
  }
}
