/**
 * The server returned a stream-read event without its `$all` position (older servers send
 * 2^64-1, or leave the field out and the client reads 0). Missive needs that position for
 * read-your-writes and resume tokens, so such a server is refused rather than guessed around.
 */
export class PositionUnavailableError extends Error {
  override readonly name = 'PositionUnavailableError';

  constructor(
    readonly stream: string,
    readonly revision: number,
  ) {
    super(
      `EventStoreDB returned ${stream}@${revision} without its $all position: stream reads carry ` +
        'it from EventStoreDB 22.6 on (KurrentDB included); upgrade the server',
    );
  }
}
