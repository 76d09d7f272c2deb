import type { RecordedEvent } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';

/**
 * What a job's steps write belongs to the request that started the job: the same correlation
 * and actor, caused by the event that queued it, however many runners it took.
 */
export function jobContext(start: RecordedEvent): CommandContext {
  const metadata = start.metadata as { correlationId?: string; actorUserId?: string | null };
  return {
    correlationId: metadata.correlationId ?? start.id,
    causationId: start.id,
    actorUserId: metadata.actorUserId ?? null,
  };
}
