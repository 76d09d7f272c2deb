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
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { Readable } from 'node:stream';

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

interface LiveSubscription {
  readonly readable: Readable;
  delivered: number;
  readonly dropAfter: number | undefined;
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
      const retry = current !== undefined && current > expected ? sameAt(Number(expected) + 1) : undefined;
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

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): Readable {
    this.subscribeCalls.push({ fromPosition: options.fromPosition, filter: options.filter });
    const from = options.fromPosition ?? 'start';
    const subscription: LiveSubscription = {
      readable: new Readable({ objectMode: true, read: () => undefined }),
      delivered: 0,
      dropAfter: this.dropSchedule.shift(),
    };
    Object.assign(subscription.readable, {
      unsubscribe: async () => {
        this.live.delete(subscription);
        subscription.readable.push(null);
      },
    });
    this.live.add(subscription);
    // Inclusive of the start position too: the adapter must not deliver it twice.
    const backlog =
      from === 'end'
        ? []
        : from === 'start'
          ? this.log
          : this.log.filter((e) => e.position.commit >= from.commit);
    for (const event of backlog) this.deliver(subscription, event);
    return subscription.readable;
  }

  async dispose(): Promise<void> {
    for (const subscription of this.live) subscription.readable.push(null);
    this.live.clear();
  }

  private store(
    streamId: string,
    type: string,
    data: unknown,
    metadata?: unknown,
    id = crypto.randomUUID(),
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
      subscription.readable.destroy(new UnavailableError());
      return;
    }
    subscription.delivered += 1;
    subscription.readable.push(resolved(event));
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
