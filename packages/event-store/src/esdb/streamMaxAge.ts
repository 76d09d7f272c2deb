import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  NO_STREAM,
  type ResolvedEvent,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type JSONType,
} from '@eventstore/db-client';

// Concurrent writers of the same stream's metadata are rare (this adapter is the only one);
// a few rounds settle them.
const MAX_ROUNDS = 5;

/**
 * Sets `$maxAge` and keeps everything else in the stream's metadata (`$acl`, `$tb`, `$maxCount`,
 * custom keys). The client's `setStreamMetadata` writes a whole new metadata document, so it
 * would drop access rules set by an operator; and its `getStreamMetadata` reports a commit
 * position as `metastreamRevision`. So the metastream is read and written here directly, at
 * the revision read (a concurrent change makes the write conflict and the round start over).
 */
export async function setStreamMaxAge(
  client: EventStoreDBClient,
  stream: string,
  seconds: number,
): Promise<void> {
  const metastream = `$$${stream}`;
  for (let round = 1; ; round++) {
    const current = await lastMetadata(client, metastream);
    const data = { ...current.data, $maxAge: seconds };
    try {
      const result = await client.appendToStream(
        metastream,
        jsonEvent({ type: '$metadata', data: data as JSONType }),
        { expectedRevision: current.revision ?? NO_STREAM },
      );
      if (result.success) return;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    if (round >= MAX_ROUNDS) {
      throw new Error(`metadata of ${stream} kept changing; $maxAge not set`);
    }
  }
}

async function lastMetadata(
  client: EventStoreDBClient,
  metastream: string,
): Promise<{ data: Record<string, unknown>; revision: bigint | undefined }> {
  const read = client.readStream(metastream, {
    direction: BACKWARDS,
    fromRevision: END,
    maxCount: 1,
  });
  try {
    for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
      const event = resolved.event;
      if (!event) continue;
      const data =
        event.isJson && event.data !== null && typeof event.data === 'object'
          ? (event.data as Record<string, unknown>)
          : {};
      return { data, revision: event.revision };
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  return { data: {}, revision: undefined };
}
