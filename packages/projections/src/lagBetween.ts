import type { Position } from '@missive/event-store';

/**
 * How far `checkpoint` trails `head`, in the adapter's commit units: events on SQLite (the
 * position is the global sequence), bytes of transaction log on EventStoreDB. Never negative.
 */
export function lagBetween(head: Position | 'start', checkpoint: Position | 'start'): number {
  const headCommit = head === 'start' ? 0n : head.commit;
  const checkpointCommit = checkpoint === 'start' ? 0n : checkpoint.commit;
  return headCommit > checkpointCommit ? Number(headCommit - checkpointCommit) : 0;
}
