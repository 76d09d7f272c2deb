import { AppendTooLargeError } from './appendTooLargeError';
import { appendBytes, serializeParts } from './appendBytes';
import type { AppendOptions, AppendResult, EventData, ExpectedRevision } from './eventStore';
import { eventKey } from './sqlite/eventKey';

/** An event as a store writes it: its payloads already JSON text, its id's hash key. */
export interface SerializedEvent {
  readonly id: string;
  readonly key: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
}

/** An append waiting in a store's group-commit queue for the transaction it will share. */
export interface PendingAppend {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerializedEvent[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export function serializeEvent(event: EventData): SerializedEvent {
  return {
    id: event.id,
    key: eventKey(event.id),
    type: event.type,
    ...serializeParts(event.data, event.metadata),
  };
}

/**
 * Checks and serializes an append, then queues it; the promise settles when the store commits
 * the batch it joins. Serializing here means a caller's bad payload (or an oversized append)
 * fails only that caller, never the batch it would have shared.
 */
export function queueAppend(
  queue: PendingAppend[],
  stream: string,
  events: readonly EventData[],
  options: AppendOptions | undefined,
  maxAppendBytes: number,
): Promise<AppendResult> {
  if (events.length === 0) {
    return Promise.reject(new RangeError(`append to ${stream}: at least one event is required`));
  }
  let serialized: SerializedEvent[];
  try {
    serialized = events.map(serializeEvent);
  } catch (error) {
    return Promise.reject(error);
  }
  const bytes = appendBytes(serialized);
  if (bytes > maxAppendBytes) {
    return Promise.reject(new AppendTooLargeError(stream, bytes, maxAppendBytes));
  }
  return new Promise<AppendResult>((resolve, reject) => {
    queue.push({
      stream,
      expected: options?.expectedRevision ?? 'any',
      events: serialized,
      resolve,
      reject,
    });
  });
}
