import type { Position as EsdbPosition, ResolvedEvent } from '@eventstore/db-client';
import type { RecordedEvent } from '../eventStore';
import { PositionUnavailableError } from './positionUnavailableError';

/** What the server puts in a position field it cannot fill (`ulong.MaxValue`). */
const NO_POSITION = 2n ** 64n - 1n;

/** `$`-streams and `$`-types are EventStoreDB's own bookkeeping, never application events. */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/**
 * The client always fills `position` (protobuf's default for an unset field is 0), so a
 * missing position shows as 0/0 or 2^64-1; the log's first records are the server's own, so
 * no application event sits at 0.
 */
export function hasLogPosition(position: EsdbPosition | undefined): position is EsdbPosition {
  if (!position) return false;
  const { commit, prepare } = position;
  if (commit === NO_POSITION || prepare === NO_POSITION) return false;
  return !(commit === 0n && prepare === 0n);
}

/** Converts a resolved event; throws PositionUnavailableError when the server left it out. */
export function recordedEventFromEsdb(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  const revision = Number(event.revision);
  if (!hasLogPosition(event.position)) throw new PositionUnavailableError(event.streamId, revision);
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision,
    position: event.position,
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
