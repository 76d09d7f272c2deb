/** An event's serialized parts, as every adapter stores them. */
export interface SerializedParts {
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
}

/**
 * An append's size as EventStoreDB counts it (each event's payload, type and metadata, plus 16
 * bytes for its id), so every adapter refuses the same appends.
 */
export function appendBytes(events: readonly SerializedParts[]): number {
  let bytes = 0;
  for (const event of events) {
    bytes += Buffer.byteLength(event.data) + Buffer.byteLength(event.type) + 16;
    if (event.metadata !== null) bytes += Buffer.byteLength(event.metadata);
  }
  return bytes;
}

/** JSON text of an event's data, and of its metadata (null when it has none). */
export function serializeParts(data: unknown, metadata: Record<string, unknown> | undefined) {
  return {
    data: JSON.stringify(data) ?? 'null',
    metadata: metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null,
  };
}
