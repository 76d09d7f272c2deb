import { catalogueEntry, CLOUD_EVENT_TYPE_PREFIX, eventCatalogue } from '@missive/contracts';
import { decodePosition, type Position } from '@missive/event-store';
import { CanvasError } from '../http/canvasError';

export interface EventFeedQuery {
  readonly from: Position | 'start';
  readonly eventTypes: readonly string[];
}

const PUBLIC_TYPES = eventCatalogue.filter((e) => e.visibility === 'public').map((e) => e.type);

function list(raw: unknown): string[] {
  if (raw === undefined) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items.flatMap((item) => (typeof item === 'string' ? item.split(',') : [])).filter(Boolean);
}

/**
 * Where to resume and what to send. `Last-Event-ID` (what EventSource clients send on
 * reconnect) wins over `after`; `type` takes event names or CloudEvent types, repeated or
 * comma-separated. Nothing here is guessed: an unreadable position or unknown type is a 400.
 */
export function parseEventFeedQuery(
  query: Record<string, unknown>,
  lastEventId: string | undefined,
): EventFeedQuery {
  const resumeFrom =
    lastEventId ?? (typeof query['after'] === 'string' ? query['after'] : undefined);
  let from: Position | 'start' = 'start';
  if (resumeFrom !== undefined && resumeFrom !== '') {
    try {
      from = decodePosition(resumeFrom);
    } catch {
      throw new CanvasError(400, { errors: [{ message: 'Invalid Last-Event-ID or after' }] });
    }
  }
  const requested = [...list(query['type']), ...list(query['type[]'])].map((t) =>
    t.startsWith(CLOUD_EVENT_TYPE_PREFIX) ? t.slice(CLOUD_EVENT_TYPE_PREFIX.length) : t,
  );
  const unknown = requested.filter((t) => catalogueEntry(t)?.visibility !== 'public');
  if (unknown.length > 0) {
    throw new CanvasError(400, {
      errors: [{ message: `Unknown event type: ${unknown.join(', ')}` }],
    });
  }
  return { from, eventTypes: requested.length > 0 ? [...new Set(requested)] : PUBLIC_TYPES };
}
