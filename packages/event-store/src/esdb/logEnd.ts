import {
  type AllStreamResolvedEvent,
  BACKWARDS,
  END,
  type EventStoreDBClient,
  type Position as EsdbPosition,
} from '@eventstore/db-client';
import { comparePositions, type Position } from '../position';
import { UnknownPositionError } from '../unknownPositionError';

/** Position of the log's last event, server events included; `undefined` for an empty log. */
export async function lastLogPosition(
  client: EventStoreDBClient,
): Promise<EsdbPosition | undefined> {
  const read = client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
  for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
    if (resolved.event) return resolved.event.position;
  }
  return undefined;
}

/**
 * Refuses a start past the log's last event. The server's code, as read, refuses only a
 * position inside a record; past the end, a read would come back empty and a subscription
 * would wait until the log grows past it, so an invented or stale token would look like
 * "nothing new" instead of an error. Costs one single-event read.
 */
export async function assertInLog(client: EventStoreDBClient, position: Position): Promise<void> {
  const last = await lastLogPosition(client);
  if (last === undefined || comparePositions(position, last) > 0) {
    throw new UnknownPositionError(position, 'it is past the end of the log');
  }
}
