import type { EventFilter, RecordedEvent } from '@missive/event-store';
import type { Kysely, Transaction } from 'kysely';

/**
 * `read-model`: only writes its own rows, so it can be rebuilt from the log at will.
 * `process-manager`: reacts to events with side effects (appends, sends); replaying its history
 * would repeat them, so operator tooling refuses to rebuild it.
 */
export type ProjectionKind = 'read-model' | 'process-manager';

/**
 * A read model fed from the event log. The runtime owns ordering, batching, checkpoints and
 * poison events; a projection only says which events it reads and how rows change.
 */
export interface Projection {
  /** Stable identifier, e.g. `conversations`; keys the checkpoint and parked events. */
  readonly name: string;
  /**
   * Bump when the rows change shape or meaning. Each version keeps its own checkpoint;
   * `missive-projections rebuild` builds the new version beside the live one and switches.
   */
  readonly version: number;
  /** Default `read-model`. */
  readonly kind?: ProjectionKind;
  /** Categories (stream prefixes) and/or event types; the store filters before we see them. */
  readonly filter: EventFilter;
  /**
   * Idempotent DDL for SQLite and PostgreSQL. The runner calls it inside a transaction (under
   * an advisory lock on PostgreSQL, so concurrent starters do not race): do not open another.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  migrate(db: Kysely<any>): Promise<void>;
  /**
   * Writes the rows for a batch, in log order, inside the transaction that also moves the
   * checkpoint. Write the batch with multi-row statements: per-event round trips dominate
   * catch-up time. Throwing rolls back the whole batch; the runner then retries event by event
   * and parks whatever still fails. The same event may be applied again only after a rollback,
   * never twice in committed state.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  apply(events: readonly RecordedEvent[], tx: Transaction<any>): Promise<void>;
}
