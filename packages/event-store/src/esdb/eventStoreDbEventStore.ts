import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../eventStore';
import { AppendTooLargeError } from '../appendTooLargeError';
import { matchesFilter } from '../matchesFilter';
import { comparePositions, type Position } from '../position';
import { UnknownPositionError } from '../unknownPositionError';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import { isInvalidPositionError } from './esdbErrors';
import { EsdbSubscription, type ResubscribeOptions, serverFilter } from './esdbSubscription';
import { type FilteredAllReader, filteredAllReader } from './filteredAllReader';
import { KnownLogEnd } from './logEnd';
import { setStreamMaxAge } from './streamMaxAge';
import { isSystemEvent, recordedEventFromEsdb } from './recordedEventFromEsdb';

export interface EventStoreDbEventStoreOptions {
  /** `esdb://`, `esdb+discover://`; `kurrentdb://` and `kurrent://` are accepted as aliases. */
  readonly connectionString?: string;
  /** A client built elsewhere (shared, or a test double); `close()` leaves it open. */
  readonly client?: EventStoreDBClient;
  /** Events fetched per `readAll` request. Default 1000. */
  readonly readPageSize?: number;
  /** Backoff used when a subscription's connection drops. */
  readonly resubscribe?: ResubscribeOptions;
}

// $-streams and $-types are the server's own bookkeeping; `headPosition` looks past at most
// this many of them at the end of the log to find the last application event, a few at a time
// (usually the first one read is the answer).
const HEAD_SCAN_LIMIT = 1000;
const HEAD_PAGE = 16;

/** Adapter over EventStoreDB/KurrentDB through the gRPC client `@eventstore/db-client`. */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly pageSize: number;
  private readonly resubscribe: ResubscribeOptions | undefined;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly readFiltered: FilteredAllReader;
  private readonly logEnd: KnownLogEnd;

  constructor(options: EventStoreDbEventStoreOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.connectionString) {
      // The 6.x client only knows the esdb scheme names; KurrentDB kept the same protocol.
      const connectionString = options.connectionString.replace(
        /^(kurrentdb|kurrent)(\+discover)?:\/\//,
        (_match, _scheme: string, discover: string | undefined) => `esdb${discover ?? ''}://`,
      );
      this.client = EventStoreDBClient.connectionString(connectionString);
      this.ownsClient = true;
    } else {
      throw new Error('EventStoreDbEventStore needs a connectionString or a client');
    }
    this.readFiltered = filteredAllReader(this.client);
    this.logEnd = new KnownLogEnd(this.client);
    this.pageSize = Math.max(1, options.readPageSize ?? 1000);
    this.resubscribe = options.resubscribe;
  }

  async append(
    stream: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    if (events.length === 0) {
      throw new RangeError(`append to ${stream}: at least one event is required`);
    }
    const expected = options?.expectedRevision ?? 'any';
    const esdbEvents = events.map((event) =>
      jsonEvent({
        id: event.id,
        type: event.type,
        // JSONType is narrower than what the client sends: it JSON-serializes any value.
        data: event.data as JSONType,
        metadata: event.metadata ?? {},
      }),
    );
    try {
      const result = await this.client.appendToStream(stream, esdbEvents, {
        expectedRevision: toEsdbExpectedRevision(expected),
      });
      if (!result.success) {
        // `throwOnAppendFailure=false` in the connection string: a conflict comes back as a
        // result, and its revision cannot be trusted (the client's batch append reports
        // `BigInt(hasCurrentStreamRevision())`), so the stream's real one is read.
        throw new WrongExpectedVersionError(stream, expected, await this.lastRevisionOf(stream));
      }
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      const position =
        result.position ?? (await this.positionOfRevision(stream, nextExpectedRevision));
      this.logEnd.saw(position);
      return { nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof MaxAppendSizeExceededError) {
        throw new AppendTooLargeError(stream, undefined, error.maxAppendSize);
      }
      if (error instanceof EsdbWrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedVersionError(
          stream,
          expected,
          actual === NO_STREAM || actual === undefined ? 'no_stream' : Number(actual),
        );
      }
      throw error;
    }
  }

  async *readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    const backwards = options?.direction === 'backwards';
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision:
        options?.fromRevision === undefined
          ? backwards
            ? END
            : START
          : BigInt(options.fromRevision),
      ...(options?.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    let drained = false;
    try {
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        const event = recordedEventFromEsdb(resolved);
        if (event) yield event;
      }
      drained = true;
    } catch (error) {
      drained = true;
      if (error instanceof StreamNotFoundError) return;
      throw error;
    } finally {
      // Leaving early only unpipes the client's stream; the gRPC call must be cancelled.
      if (!drained) await read.cancel().catch(() => undefined);
    }
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    const start = options?.fromPosition ?? 'start';
    let from = start;
    let remaining = options?.maxCount ?? Number.POSITIVE_INFINITY;
    const filter = options?.filter;
    if (start !== 'start') await this.logEnd.assertInLog(start);
    while (remaining > 0) {
      // ESDB's fromPosition is inclusive: ask for one more and drop the event sitting on it.
      // The server filters (system events out, and the category or types asked for), so a
      // page holds only events worth sending; `matchesFilter` still checks exactly below.
      const size = Math.min(this.pageSize, remaining);
      const read = this.readFiltered({
        fromPosition: from === 'start' ? START : from,
        maxCount: size + 1,
        filter: serverFilter(filter),
      });
      let received = 0;
      let drained = false;
      try {
        for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
          received += 1;
          const raw = resolved.event;
          if (!raw) continue;
          if (from !== 'start' && comparePositions(raw.position, from) <= 0) continue;
          from = raw.position;
          this.logEnd.saw(raw.position);
          if (isSystemEvent(raw.streamId, raw.type)) continue;
          if (!matchesFilter(filter, raw.streamId, raw.type)) continue;
          const event = recordedEventFromEsdb(resolved);
          if (!event) continue;
          yield event;
          remaining -= 1;
          if (remaining <= 0) return;
        }
        drained = true;
      } catch (error) {
        drained = true;
        if (isInvalidPositionError(error) && from !== 'start') {
          throw new UnknownPositionError(from, 'the server refused to read from it');
        }
        throw error;
      } finally {
        if (!drained) await read.cancel().catch(() => undefined);
      }
      if (received < size + 1) return;
    }
  }

  subscribe(options?: SubscribeOptions): Subscription {
    const subscription = new EsdbSubscription(
      this.client,
      this.logEnd,
      options?.fromPosition ?? 'start',
      options?.filter,
      this.resubscribe,
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | 'start'> {
    let latest: Position | undefined;
    let from: Position | 'end' = END;
    for (let scanned = 0; scanned < HEAD_SCAN_LIMIT;) {
      // Backwards reads are inclusive too: a page after the first repeats its start event.
      const maxCount = HEAD_PAGE + (from === END ? 0 : 1);
      const read = this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount });
      let received = 0;
      for await (const resolved of read as AsyncIterable<AllStreamResolvedEvent>) {
        received += 1;
        const raw = resolved.event;
        if (!raw || (from !== END && comparePositions(raw.position, from) >= 0)) continue;
        latest ??= raw.position;
        this.logEnd.saw(raw.position);
        from = raw.position;
        scanned += 1;
        if (!isSystemEvent(raw.streamId, raw.type)) {
          await read.cancel();
          return raw.position;
        }
      }
      if (received < maxCount) break;
    }
    // Only server events within reach: report the newest one rather than hide the lag.
    return latest ?? 'start';
  }

  async setStreamMaxAge(stream: string, seconds: number): Promise<void> {
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new RangeError(`maxAge of ${stream} must be a positive number of seconds`);
    }
    await setStreamMaxAge(this.client, stream, seconds);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.ownsClient) await this.client.dispose();
  }

  private async lastRevisionOf(stream: string): Promise<number | 'no_stream'> {
    for await (const event of this.readStream(stream, { direction: 'backwards', maxCount: 1 })) {
      return event.revision;
    }
    return 'no_stream';
  }

  private async positionOfRevision(stream: string, revision: number): Promise<Position> {
    for await (const event of this.readStream(stream, { fromRevision: revision, maxCount: 1 })) {
      return event.position;
    }
    throw new Error(`event ${stream}@${revision} was appended but cannot be read back`);
  }
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}
