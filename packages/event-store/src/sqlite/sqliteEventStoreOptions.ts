export interface SqliteEventStoreOptions {
  /** File path, or `:memory:` (private to this instance). */
  readonly path: string;
  /** How often subscriptions look for commits made by other processes. Default 50 ms. */
  readonly pollIntervalMs?: number;
  /** How long to wait for another process's write lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Rows fetched per query when reading. Default 1000. */
  readonly readPageSize?: number;
  /** WAL size (in 4 KiB pages) that triggers a checkpoint. Default 4000 (about 16 MB). */
  readonly walAutocheckpointPages?: number;
  /** Appends grouped into one transaction at most. Default 1000. */
  readonly maxAppendsPerTransaction?: number;
  /** Bytes of data and metadata one append may carry. Default EventStoreDB's, 1 MiB. */
  readonly maxAppendBytes?: number;
}

/** Counters that make group commit observable (tests, metrics). */
export interface SqliteEventStoreStats {
  /** Append calls answered (written, idempotent, or rejected). */
  readonly appends: number;
  /** Events written. */
  readonly events: number;
  /** Write transactions committed: with group commit, fewer than `appends`. */
  readonly transactions: number;
  /** Appends rejected with `WrongExpectedVersionError`. */
  readonly conflicts: number;
  /** Subscriptions open now (an iteration that ended, or was left, closes its subscription). */
  readonly subscriptions: number;
}
