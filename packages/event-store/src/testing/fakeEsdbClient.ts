import {
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ReadPosition,
  type ReadRevision,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  convertToCommandError,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { LiveSubscription, matchesServerFilter } from './fakeLiveSubscription';

/** The server's default `MaxAppendSize`. */
const FAKE_MAX_APPEND_SIZE = 1_048_576;
/** The server's cap on its committed-event-id cache (`CommitedEventsMemCacheLimit`). */
const SERVER_ID_CACHE_BYTES = 8 * 1024 * 1024;
/** What the server reports for a stream-read event's position when it has none (older servers). */
const NO_POSITION = 2n ** 64n - 1n;

interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position: Position;
  readonly created: Date;
}

export interface FakeEsdbClientOptions {
  /** Every append is followed by a server event, as on a busy server. */
  readonly noisy?: boolean;
  /**
   * What stream reads carry as `position`: `log` (servers since EventStoreDB 22.6 fill the
   * event's `$all` position), `max` (older servers: 2^64-1 in both parts) or `unset` (the field
   * left out; the client then reads protobuf's default, 0).
   */
  readonly streamReadPositions?: 'log' | 'max' | 'unset';
  /** Bytes of the server's event-id cache (default 8 MiB, as the server's). */
  readonly idCacheBytes?: number;
  /** The client's `throwOnAppendFailure` (connection string option; default true). */
  readonly throwOnAppendFailure?: boolean;
}

/**
 * An in-memory stand-in for the parts of `EventStoreDBClient` the adapter uses. It copies what
 * the server does as read in its code (KurrentDB's gRPC services and index writer) and in
 * `@eventstore/db-client` 6.2.1: inclusive `$all` positions, records of different sizes so most
 * numbers are not a record's start, `InvalidArgument` for a read or subscription from inside a
 * record, `$`-system events interleaved in `$all`, StreamNotFound on missing streams, typed
 * version conflicts, the server's size count for `MaxAppendSize`, and idempotent re-appends as
 * the server decides them: with an expected revision by reading the stream; with `any` or
 * `stream_exists` only through a bounded in-memory id cache that a restart empties.
 */
export class FakeEsdbClient {
  readonly log: StoredEvent[] = [];
  readonly subscribeCalls: Array<{ fromPosition: ReadPosition | undefined; filter?: Filter }> = [];
  /** Unfiltered `$all` reads (`readAll`), by direction. */
  readonly allReads: Array<{ direction: string; fromPosition: ReadPosition | undefined }> = [];
  /** Filtered `$all` reads, as the adapter sends them past the 6.x client's `readAll`. */
  readonly filteredReads: Array<{ fromPosition: ReadPosition; maxCount: number; filter: Filter }> =
    [];
  /** Makes the next subscriptions fail (UnavailableError) after delivering this many events. */
  readonly dropSchedule: number[] = [];
  /** Errors the next subscriptions fail with at once, one per `subscribeToAll` call. */
  readonly subscribeFailures: Error[] = [];
  private readonly live = new Set<LiveSubscription>();
  private readonly idCache = new Map<string, { streamId: string; revision: bigint }>();
  private idCacheUsed = 0;
  private end = 0n;

  constructor(private readonly options: FakeEsdbClientOptions = {}) {
    // The log starts with the server's own records (epoch, $users, …): no event sits at 0.
    this.writeSystemEvent();
  }

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  get throwOnAppendFailure(): boolean {
    return this.options.throwOnAppendFailure ?? true;
  }

  /** A server-side event (`$`-stream or `$`-type) that readers must skip. */
  writeSystemEvent(): void {
    this.store('$stats-127.0.0.1:2113', '$statsCollected', { load: 1 });
  }

  /** A server restart: the id cache is memory only, and live subscriptions drop. */
  restart(): void {
    this.idCache.clear();
    this.idCacheUsed = 0;
    for (const subscription of this.live) subscription.fail(new UnavailableError());
    this.live.clear();
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    const batch = Array.isArray(events) ? events : [events];
    // The server refuses an oversized append before it looks at the stream, counting each
    // event as its data, its metadata and twice its type's length (`Event.SizeOnDisk`).
    let size = 0;
    for (const event of batch) {
      size += Buffer.byteLength(JSON.stringify(event.data) ?? '');
      size += Buffer.byteLength(JSON.stringify(event.metadata) ?? '');
      size += event.type.length * 2;
    }
    if (size > FAKE_MAX_APPEND_SIZE) {
      throw MaxAppendSizeExceededError.fromMaxAppendSize(FAKE_MAX_APPEND_SIZE);
    }
    const expected = options.expectedRevision ?? 'any';
    const stream = this.log.filter((e) => e.streamId === streamName);
    const current = stream.length === 0 ? undefined : stream[stream.length - 1]!.revision;
    const decision = this.checkCommit(streamName, stream, current, expected, batch);
    if (decision === 'conflict') {
      if (!this.throwOnAppendFailure) {
        // As the client's batch append reports it: `BigInt(hasCurrentStreamRevision())`, so
        // 1 (or -1 without a stream) whatever the stream's real revision is.
        return {
          success: false,
          nextExpectedRevision: current === undefined ? -1n : 1n,
          position: undefined,
        };
      }
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current ?? 'no_stream',
      });
    }
    if (decision !== 'write') {
      const last = decision[decision.length - 1]!;
      return { success: true, nextExpectedRevision: last.revision, position: last.position };
    }

    let last: StoredEvent | undefined;
    for (const event of batch) {
      last = this.store(streamName, event.type, event.data, event.metadata, event.id);
    }
    if (this.options.noisy) this.writeSystemEvent();
    return { success: true, nextExpectedRevision: last!.revision, position: last!.position };
  }

  readStream(
    streamName: string,
    options: { direction?: string; fromRevision?: ReadRevision; maxCount?: number | bigint } = {},
  ): Readable {
    let events = this.log.filter((e) => e.streamId === streamName);
    if (events.length === 0) {
      return this.readable([], false, new StreamNotFoundError(undefined, streamName));
    }
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    if (backwards) {
      events = events.reverse();
      if (typeof from === 'bigint') events = events.filter((e) => e.revision <= from);
    } else if (typeof from === 'bigint') {
      events = events.filter((e) => e.revision >= from);
    }
    const count = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return this.readable(events.slice(0, count), false);
  }

  readAll(
    options: { direction?: string; fromPosition?: ReadPosition; maxCount?: number | bigint } = {},
  ): Readable {
    const backwards = options.direction === 'backwards';
    this.allReads.push({
      direction: backwards ? 'backwards' : 'forwards',
      fromPosition: options.fromPosition,
    });
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    if (typeof from === 'object' && !this.isReadablePosition(from)) {
      return this.readable([], true, invalidPositionError());
    }
    let events = backwards ? [...this.log].reverse() : [...this.log];
    if (typeof from === 'object') {
      // Inclusive, like the server.
      events = events.filter((e) =>
        backwards ? e.position.commit <= from.commit : e.position.commit >= from.commit,
      );
    }
    const count = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return this.readable(events.slice(0, count), true);
  }

  /** The server's filtered forwards read: only matching events, up to `maxCount` of them. */
  readAllFiltered(options: {
    fromPosition: ReadPosition;
    maxCount: number;
    filter: Filter;
  }): Readable {
    this.filteredReads.push(options);
    const from = options.fromPosition;
    if (typeof from === 'object' && !this.isReadablePosition(from)) {
      return this.readable([], true, invalidPositionError());
    }
    const events = this.log.filter(
      (e) =>
        (typeof from !== 'object' || e.position.commit >= from.commit) &&
        matchesServerFilter(options.filter, resolved(e, true)),
    );
    return this.readable(events.slice(0, options.maxCount), true);
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): LiveSubscription {
    this.subscribeCalls.push({ fromPosition: options.fromPosition, filter: options.filter });
    const from = options.fromPosition ?? 'start';
    const subscription = new LiveSubscription(this.dropSchedule.shift(), options.filter, (ended) =>
      this.live.delete(ended),
    );
    const failure = this.subscribeFailures.shift();
    if (failure) {
      subscription.fail(failure);
      return subscription;
    }
    if (typeof from === 'object' && !this.isReadablePosition(from)) {
      subscription.fail(invalidPositionError());
      return subscription;
    }
    this.live.add(subscription);
    // Inclusive of the start position too: the adapter must not deliver it twice. A start past
    // the end waits there for events, as a live subscription.
    const backlog =
      from === 'end'
        ? []
        : from === 'start'
          ? this.log
          : this.log.filter((e) => e.position.commit >= from.commit);
    for (const event of backlog) subscription.deliver(resolved(event, true));
    return subscription;
  }

  /** The latest metadata set on a stream, as the server would hold it. */
  streamMetadata(streamName: string): unknown {
    return this.log.filter((e) => e.streamId === `$$${streamName}`).pop()?.data;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((subscription) => subscription.unsubscribe()));
  }

  /**
   * The server's commit check (`IndexWriter.CheckCommit`): `write`, `conflict`, or the events
   * already written by the same append (an idempotent retry).
   */
  private checkCommit(
    streamName: string,
    stream: readonly StoredEvent[],
    current: bigint | undefined,
    expected: AppendExpectedRevision,
    batch: readonly EventData[],
  ): 'write' | 'conflict' | StoredEvent[] {
    if (current === undefined) {
      return expected === 'any' || expected === 'no_stream' ? 'write' : 'conflict';
    }
    if (expected === 'any' || expected === 'stream_exists') {
      // Only the id cache answers: an evicted or forgotten id is written again.
      const found: StoredEvent[] = [];
      for (const event of batch) {
        const cached = this.idCache.get(event.id);
        if (!cached || cached.streamId !== streamName)
          return found.length === 0 ? 'write' : 'conflict';
        found.push(stream[Number(cached.revision)]!);
      }
      return found;
    }
    const expectedRevision = expected === 'no_stream' ? -1n : expected;
    if (expectedRevision === current) return 'write';
    if (expectedRevision > current) return 'conflict';
    // Behind the stream: the same ids right after the expected revision, read from the stream
    // itself (durable), make it a retry; anything else is a conflict.
    const found: StoredEvent[] = [];
    for (const [i, event] of batch.entries()) {
      const there = stream[Number(expectedRevision) + 1 + i];
      if (!there || there.id !== event.id) return 'conflict';
      found.push(there);
    }
    return found;
  }

  /** A record's start, or the end of the log: anything else is inside a record. */
  private isReadablePosition(position: Position): boolean {
    if (position.commit >= this.end) return true;
    return this.log.some(
      (e) => e.position.commit === position.commit && e.position.prepare === position.prepare,
    );
  }

  private store(
    streamId: string,
    type: string,
    data: unknown,
    metadata?: unknown,
    id: string = randomUUID(),
  ): StoredEvent {
    const revision = BigInt(this.log.filter((e) => e.streamId === streamId).length);
    // Records take their size in the log, so positions are byte offsets with gaps between.
    const position = { commit: this.end, prepare: this.end };
    this.end += BigInt(64 + Buffer.byteLength(JSON.stringify(data) ?? '') + type.length * 2);
    const event = { streamId, revision, id, type, data, metadata, position, created: new Date() };
    this.log.push(event);
    this.remember(id, streamId, revision);
    for (const subscription of this.live) subscription.deliver(resolved(event, true));
    return event;
  }

  /** The server's bounded cache of committed event ids, oldest evicted first. */
  private remember(id: string, streamId: string, revision: bigint): void {
    const limit = this.options.idCacheBytes ?? SERVER_ID_CACHE_BYTES;
    this.idCache.set(id, { streamId, revision });
    // What the server charges per entry: 16 + 4 + a pointer + 2 bytes per stream-name char.
    this.idCacheUsed += 28 + 2 * streamId.length;
    for (const [oldest, entry] of this.idCache) {
      if (this.idCacheUsed <= limit) break;
      this.idCache.delete(oldest);
      this.idCacheUsed -= 28 + 2 * entry.streamId.length;
    }
  }

  private readable(events: readonly StoredEvent[], fromAll: boolean, error?: Error): Readable {
    const mode = this.options.streamReadPositions ?? 'log';
    const readable = Readable.from(
      (async function* () {
        for (const event of events) {
          if (fromAll || mode === 'log') yield resolved(event, fromAll);
          else yield resolved({ ...event, position: missingPosition(mode) }, false);
        }
        if (error) throw error;
      })(),
    );
    return Object.assign(readable, { cancel: async () => void readable.destroy() });
  }
}

function missingPosition(mode: 'max' | 'unset'): Position {
  const value = mode === 'max' ? NO_POSITION : 0n;
  return { commit: value, prepare: value };
}

/**
 * What the client makes of the server's refusal ("Trying to read from an invalid position.",
 * gRPC InvalidArgument without an `exception` key): an UnknownError with code 3.
 */
function invalidPositionError(): Error {
  const details = 'Trying to read from an invalid position.';
  return convertToCommandError(
    Object.assign(new Error(`3 INVALID_ARGUMENT: ${details}`), { code: 3, details }) as never,
  );
}

/** `$all` reads and subscriptions carry the commit position beside the event; stream reads do not. */
function resolved(event: StoredEvent, fromAll: boolean): AllStreamResolvedEvent {
  return {
    event: { ...event, isJson: true } as AllStreamResolvedEvent['event'],
    ...(fromAll ? { commitPosition: event.position.commit } : {}),
  } as AllStreamResolvedEvent;
}
