import type {
  FanOutMessage,
  MessageOperationFanOut,
  MessageOperationFanOutPart,
} from './messageOperationEvents';

/**
 * The most message JSON one event carries, fan-out part or the operation itself: half of
 * EventStoreDB's default 1 MiB append limit, leaving room for the text, tags, metadata and the
 * claim appended beside it.
 */
export const MAX_FAN_OUT_BYTES = 512 * 1024;

export interface SplitFanOut {
  /** What the operation's MessageOperationCreated carries. */
  readonly fanOut: MessageOperationFanOut;
  /** To append first, part k at revision k of `operationfanout-<operationId>`; often none. */
  readonly parts: MessageOperationFanOutPart[];
}

/**
 * Keeps a send's messages in its MessageOperationCreated when they fit in `maxBytes` of JSON,
 * and otherwise cuts them, in index order, into parts of at most `maxBytes` each (a single
 * message larger than that still gets a part of its own, which the store may then refuse).
 */
export function splitFanOut(
  operationId: string,
  fanOut: MessageOperationFanOut,
  maxBytes: number = MAX_FAN_OUT_BYTES,
): SplitFanOut {
  const slices: FanOutMessage[][] = [];
  let current: FanOutMessage[] = [];
  let currentBytes = 0;
  let totalBytes = 0;
  for (const message of fanOut.messages) {
    // `,` between the array's items.
    const bytes = Buffer.byteLength(JSON.stringify(message)) + 1;
    totalBytes += bytes;
    if (current.length > 0 && currentBytes + bytes > maxBytes) {
      slices.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (totalBytes <= maxBytes) return { fanOut, parts: [] };
  slices.push(current);
  const parts = slices.length;
  return {
    fanOut: { ...fanOut, messages: [], parts },
    parts: slices.map((messages, part) => ({
      type: 'MessageOperationFanOutPart',
      data: { operationId, part, parts, messages },
    })),
  };
}

/**
 * The messages of a fan-out in index order, from its parts as read back (by revision): throws
 * when one is missing or out of place, since the messages' ids are their indexes.
 */
export function joinFanOut(
  fanOut: MessageOperationFanOut,
  parts: readonly MessageOperationFanOutPart['data'][],
): FanOutMessage[] {
  if (fanOut.parts === undefined) return fanOut.messages;
  if (parts.length !== fanOut.parts) {
    throw new Error(`fan-out has ${parts.length} of its ${fanOut.parts} parts`);
  }
  const messages: FanOutMessage[] = [];
  parts.forEach((part, index) => {
    if (part.part !== index || part.parts !== fanOut.parts) {
      throw new Error(`fan-out part ${part.part}/${part.parts} found at ${index}/${fanOut.parts}`);
    }
    messages.push(...part.messages);
  });
  return messages;
}
