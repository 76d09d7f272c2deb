import type { Position } from '@missive/event-store';

/** Where a runner's loop stands. */
export type ProjectionState =
  'idle' | 'catching-up' | 'live' | 'retrying' | 'failed' | 'stopping' | 'stopped';

/** What `ProjectionRunner.status()` reports: the stored checkpoint, lag, parked events. */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** Stored checkpoint (read from the database, so it includes other instances' progress). */
  readonly checkpoint: Position | 'start';
  readonly head: Position | 'start';
  /**
   * `head.commit - checkpoint.commit`: an event count on SQLite (positions are the global
   * sequence), a byte distance in the transaction log on EventStoreDB. It counts every event,
   * including those outside the filter; it reaches 0 once caught up because the runner moves
   * the checkpoint to the head it has read up to.
   */
  readonly lag: number;
  /** Events of this projection version parked as poison. */
  readonly parked: number;
  readonly state: ProjectionState;
  /** Batches this runner lost to another instance (compare-and-set on the checkpoint). */
  readonly conflicts: number;
  readonly lastError?: string;
}
