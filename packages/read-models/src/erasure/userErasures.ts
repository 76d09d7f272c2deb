import type { UserErased } from '@missive/domain';
import type { RecordedEvent } from '@missive/event-store';

/** Stream category of users: where `UserErased` is recorded. */
export const USER_STREAMS = 'user-';

export interface ErasureSplitOptions {
  /**
   * Drop the user stream's other events: a projection that subscribes to `user-` only to hear
   * of erasures has nothing to do with registrations or tokens.
   */
  readonly onlyErasures?: boolean;
}

/**
 * Applies a batch in log order, cut at each `UserErased`: what comes before it is applied
 * first, then the erasure, then the rest. Rows a later event writes (after the erasure, the
 * log reads as placeholders) are never rewritten by an erasure that came before them, so a
 * rebuild and the live projection end with the same rows.
 */
export async function applyAroundErasures(
  events: readonly RecordedEvent[],
  apply: (chunk: readonly RecordedEvent[]) => Promise<void>,
  erase: (userId: string) => Promise<void>,
  options: ErasureSplitOptions = {},
): Promise<void> {
  let chunk: RecordedEvent[] = [];
  for (const event of events) {
    if (event.type === 'UserErased') {
      if (chunk.length > 0) await apply(chunk);
      chunk = [];
      await erase((event.data as UserErased['data']).userId);
    } else if (!options.onlyErasures || !event.streamId.startsWith(USER_STREAMS)) {
      chunk.push(event);
    }
  }
  if (chunk.length > 0) await apply(chunk);
}
