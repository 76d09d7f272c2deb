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
 * "nothing new" instead of an error. A start at or before the furthest position this adapter
 * has already seen (appended, read, or reported as head) is in the log and needs no look-up;
 * any other costs one single-event read.
 */
export class KnownLogEnd {
  private furthest: Position | undefined;

  constructor(private readonly client: EventStoreDBClient) {}

  /** Records a position the server reported for an event. */
  saw(position: Position): void {
    if (!this.furthest || comparePositions(position, this.furthest) > 0) this.furthest = position;
  }

  async assertInLog(position: Position): Promise<void> {
    if (this.furthest && comparePositions(position, this.furthest) <= 0) return;
    const last = await lastLogPosition(this.client);
    if (last) this.saw(last);
    if (last === undefined || comparePositions(position, last) > 0) {
      throw new UnknownPositionError(position, 'it is past the end of the log');
    }
  }
}
