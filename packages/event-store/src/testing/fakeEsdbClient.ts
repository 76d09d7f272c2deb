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
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

/** The server's default `MaxAppendSize`. */
const FAKE_MAX_APPEND_SIZE = 1_048_576;

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

const DROP = Symbol('drop');

/** What `subscribeToAll` returns, reduced to what the adapter uses: iteration + unsubscribe. */
class LiveSubscription implements AsyncIterable<AllStreamResolvedEvent> {
  private readonly queue: Array<AllStreamResolvedEvent | typeof DROP> = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  delivered = 0;

  constructor(
    readonly dropAfter: number | undefined,
    private readonly onEnd: (subscription: LiveSubscription) => void,
  ) {}

  push(item: AllStreamResolvedEvent | typeof DROP): void {
    this.queue.push(item);
    this.waiting?.();
  }

  async unsubscribe(): Promise<void> {
    this.ended = true;
    this.onEnd(this);
    this.waiting?.();
  }

  destroy(): void {
    void this.unsubscribe();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<AllStreamResolvedEvent> {
    try {
      for (;;) {
        const item = this.queue.shift();
        if (item === DROP) throw new UnavailableError();
        if (item) {
          yield item;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.waiting = resolve));
        this.waiting = undefined;
      }
    } finally {
      await this.unsubscribe();
    }
  }
}

/**
 * An in-memory stand-in for the parts of `EventStoreDBClient` the adapter uses, with the
 * server's semantics that matter to it: inclusive `readAll` positions, `$`-system events
 * interleaved in `$all`, StreamNotFound on missing streams, typed version conflicts,
 * idempotent retries, and subscriptions that can be made to drop.
 */
export class FakeEsdbClient {
  readonly log: StoredEvent[] = [];
  readonly subscribeCalls: Array<{ fromPosition: ReadPosition | undefined; filter?: Filter }> = [];
  /** Makes the next subscriptions fail (UnavailableError) after delivering this many events. */
  readonly dropSchedule: number[] = [];
  private readonly live = new Set<LiveSubscription>();
  private nextPosition = 100n;

  /** With `noisy`, every append is followed by a server event, as on a busy server. */
  constructor(private readonly options: { noisy?: boolean } = {}) {}

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  /** A server-side event (`$`-stream or `$`-type) that readers must skip. */
  writeSystemEvent(): void {
    this.store('$stats-127.0.0.1:2113', '$statsCollected', { load: 1 });
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpectedRevision } = {},
  ): Promise<AppendResult> {
    const batch = Array.isArray(events) ? events : [events];
    // The server refuses an oversized append before it looks at the stream.
    let size = 0;
    for (const event of batch) {
      size += Buffer.byteLength(JSON.stringify(event.data) ?? '');
      size += Buffer.byteLength(JSON.stringify(event.metadata) ?? '');
    }
    if (size > FAKE_MAX_APPEND_SIZE) {
      throw MaxAppendSizeExceededError.fromMaxAppendSize(FAKE_MAX_APPEND_SIZE);
    }
    const expected = options.expectedRevision ?? 'any';
    const stream = this.log.filter((e) => e.streamId === streamName);
    const current = stream.length === 0 ? undefined : stream[stream.length - 1]!.revision;
    const conflict = (): WrongExpectedVersionError =>
      new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current ?? 'no_stream',
      });
    const sameAt = (from: number): AppendResult | undefined => {
      const slice = stream.slice(from, from + batch.length);
      if (slice.length !== batch.length || slice.some((e, i) => e.id !== batch[i]!.id)) {
        return undefined;
      }
      return { success: true, nextExpectedRevision: slice[slice.length - 1]!.revision };
    };

    if (expected === 'no_stream' && current !== undefined) {
      const retry = sameAt(0);
      if (retry) return retry;
      throw conflict();
    }
    if (expected === 'stream_exists' && current === undefined) throw conflict();
    if (typeof expected === 'bigint' && expected !== current) {
      const retry =
        current !== undefined && current > expected ? sameAt(Number(expected) + 1) : undefined;
      if (retry) return retry;
      throw conflict();
    }
    if (expected === 'any' || expected === 'stream_exists') {
      const at = stream.findIndex((e) => e.id === batch[0]!.id);
      const retry = at >= 0 ? sameAt(at) : undefined;
      if (retry) return retry;
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
      return this.readable([], new StreamNotFoundError(undefined, streamName));
    }
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    if (backwards) {
      events = events.reverse();
      if (typeof from === 'bigint') events = events.filter((e) => e.revision <= from);
    } else if (typeof from === 'bigint') {
      events = events.filter((e) => e.revision >= from);
    }
    return this.readable(events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)));
  }

  readAll(
    options: { direction?: string; fromPosition?: ReadPosition; maxCount?: number | bigint } = {},
  ): Readable {
    const backwards = options.direction === 'backwards';
    let events = backwards ? [...this.log].reverse() : [...this.log];
    const from = options.fromPosition ?? (backwards ? 'end' : 'start');
    if (typeof from === 'object') {
      // Inclusive, like the server.
      events = events.filter((e) =>
        backwards ? e.position.commit <= from.commit : e.position.commit >= from.commit,
      );
    }
    return this.readable(events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER)));
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): LiveSubscription {
    this.subscribeCalls.push({ fromPosition: options.fromPosition, filter: options.filter });
    const from = options.fromPosition ?? 'start';
    const subscription = new LiveSubscription(this.dropSchedule.shift(), (ended) =>
      this.live.delete(ended),
    );
    this.live.add(subscription);
    // Inclusive of the start position too: the adapter must not deliver it twice.
    const backlog =
      from === 'end'
        ? []
        : from === 'start'
          ? this.log
          : this.log.filter((e) => e.position.commit >= from.commit);
    for (const event of backlog) this.deliver(subscription, event);
    return subscription;
  }

  /** As the real client does: a `$metadata` event in the `$$<stream>` metastream. */
  async setStreamMetadata(
    streamName: string,
    metadata: { maxAge?: number },
  ): Promise<AppendResult> {
    const data = metadata.maxAge === undefined ? {} : { $maxAge: metadata.maxAge };
    const event = this.store(`$$${streamName}`, '$metadata', data);
    return { success: true, nextExpectedRevision: event.revision, position: event.position };
  }

  /** The latest metadata set on a stream, as the server would hold it. */
  streamMetadata(streamName: string): unknown {
    return this.log.filter((e) => e.streamId === `$$${streamName}`).pop()?.data;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((subscription) => subscription.unsubscribe()));
  }

  private store(
    streamId: string,
    type: string,
    data: unknown,
    metadata?: unknown,
    id: string = randomUUID(),
  ): StoredEvent {
    const revision = BigInt(this.log.filter((e) => e.streamId === streamId).length);
    const position = { commit: this.nextPosition, prepare: this.nextPosition };
    this.nextPosition += 100n;
    const event = { streamId, revision, id, type, data, metadata, position, created: new Date() };
    this.log.push(event);
    for (const subscription of this.live) this.deliver(subscription, event);
    return event;
  }

  private deliver(subscription: LiveSubscription, event: StoredEvent): void {
    if (!this.live.has(subscription)) return;
    if (subscription.dropAfter !== undefined && subscription.delivered >= subscription.dropAfter) {
      this.live.delete(subscription);
      subscription.push(DROP);
      return;
    }
    subscription.delivered += 1;
    subscription.push(resolved(event));
  }

  private readable(events: readonly StoredEvent[], error?: Error): Readable {
    const readable = Readable.from(
      (async function* () {
        for (const event of events) yield resolved(event);
        if (error) throw error;
      })(),
    );
    return Object.assign(readable, { cancel: async () => void readable.destroy() });
  }
}

function resolved(event: StoredEvent): AllStreamResolvedEvent {
  return {
    event: { ...event, isJson: true } as AllStreamResolvedEvent['event'],
    commitPosition: event.position.commit,
  };
}
