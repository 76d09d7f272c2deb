import type { Position } from './position';

/** Zero-based revision of an event within its stream. */
export type StreamRevision = number;

/**
 * What the caller believes about the stream before appending:
 * - `any`: no check;
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must have at least one event;
 * - a number: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

/** An event to append. `id` is a UUID chosen by the caller so that retries are idempotent. */
export interface EventData<D = unknown> {
  readonly id: string;
  readonly type: string;
  readonly data: D;
  readonly metadata?: Record<string, unknown>;
}

/** An event as stored. */
export interface RecordedEvent<D = unknown> {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: StreamRevision;
  readonly position: Position;
  readonly data: D;
  readonly metadata: Record<string, unknown>;
  readonly created: Date;
}

export interface AppendOptions {
  /** Defaults to `any`. */
  readonly expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as the next `expectedRevision`. */
  readonly nextExpectedRevision: StreamRevision;
  /** Position of the last appended event in the global log. */
  readonly position: Position;
}

/**
 * Selects events from the global log. A stream prefix such as `conversation-` selects a
 * category. Both lists, when given, must match (prefix AND type).
 */
export interface EventFilter {
  readonly streamPrefixes?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface ReadStreamOptions {
  /** Revision to start from, inclusive. Defaults to the first (forwards) or last (backwards). */
  readonly fromRevision?: StreamRevision;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; `start` (default) reads from the beginning. */
  readonly fromPosition?: Position | 'start';
  readonly filter?: EventFilter;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this position; `start` (default) from the beginning. */
  readonly fromPosition?: Position | 'start';
  readonly filter?: EventFilter;
}

/** Catch-up then live delivery; iterate it with `for await`, stop it with `close()`. */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

/** The port every adapter implements; the contract suite in `testing/` pins its behaviour. */
export interface EventStore {
  /**
   * Appends atomically. Raises `WrongExpectedVersionError` on a revision mismatch, unless the
   * same event ids already sit in the stream right after the expected revision (an idempotent
   * retry), in which case it returns the original result and writes nothing. The events are
   * the store's to read until the returned promise settles: a caller must not change them
   * meanwhile (a store may serialize them after this call returns, as the personal-data
   * protection does once a key is at hand).
   */
  append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Yields nothing for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribe(options?: SubscribeOptions): Subscription;
  /** Position of the last event in the global log (`start` when empty); used for lag. */
  headPosition(): Promise<Position | 'start'>;
  /**
   * Retention: lets the store discard the stream's events once they are older than `seconds`
   * (EventStoreDB's `$maxAge`, enforced by its scavenge). Optional in the port; adapters that
   * cannot drop events keep them and say why.
   */
  setStreamMaxAge?(stream: string, seconds: number): Promise<void>;
  /**
   * Calls `listener` soon after events are committed, including commits made by other
   * processes when the adapter hears of them (PostgreSQL: LISTEN/NOTIFY), so a reader that
   * polls can stop waiting. A hint only: notices may be merged or lost, so readers still poll.
   * Optional in the port; returns a function that removes the listener.
   */
  onAppended?(listener: () => void): () => void;
  close(): Promise<void>;
}
