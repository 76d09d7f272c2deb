import type { ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../eventStore';

/** `$`-streams and `$`-types are EventStoreDB's own bookkeeping, never application events. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

export function recordedEventFromEsdb(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  const commit = event.position?.commit ?? resolved.commitPosition;
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    // Stream reads from older servers carry no prepare position; commit alone still orders.
    position: event.position ?? { commit: commit ?? 0n, prepare: commit ?? 0n },
    data: event.isJson ? event.data : decodeBinary(event.data),
    metadata: asMetadata(event.metadata),
    created: event.created,
  };
}

function asMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata instanceof Uint8Array) metadata = decodeBinary(metadata);
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)
    ? (metadata as Record<string, unknown>)
    : {};
}

/** Events written by other tools may be binary; JSON inside is still surfaced as JSON. */
function decodeBinary(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return null;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return bytes;
  }
}
