import {
  AccessDeniedError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  InvalidArgumentError,
  START,
  UnsupportedError,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import type { EventFilter, RecordedEvent, Subscription } from '../eventStore';
import { matchesFilter } from '../matchesFilter';
import { comparePositions, type Position } from '../position';
import { isSystemEvent, recordedEventFromEsdb } from './recordedEventFromEsdb';

export interface ResubscribeOptions {
  /** First delay after a drop. Default 100 ms; doubles on each failure in a row. */
  readonly initialDelayMs?: number;
  /** Cap on the delay. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /** Give up (the iteration throws) after this many failures in a row. Default: never. */
  readonly maxAttempts?: number;
}

/**
 * `subscribeToAll` that survives connection drops: it resubscribes from the last position it
 * saw, and drops anything at or before that position so nothing is delivered twice.
 */
export class EsdbSubscription implements Subscription {
  private closed = false;
  private started = false;
  private current: AllStreamSubscription | undefined;
  private cancelSleep: (() => void) | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private last: Position | 'start',
    private readonly filter: EventFilter | undefined,
    private readonly resubscribe: ResubscribeOptions | undefined,
    private readonly onClose: (subscription: EsdbSubscription) => void,
  ) {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.cancelSleep?.();
    const current = this.current;
    this.current = undefined;
    await current?.unsubscribe().catch(() => undefined);
    // Cancelling the gRPC call does not end the client's stream, so a `for await` over it
    // would wait forever: end it here.
    current?.destroy();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated only once');
    this.started = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<RecordedEvent> {
    const initialDelay = this.resubscribe?.initialDelayMs ?? 100;
    const maxDelay = this.resubscribe?.maxDelayMs ?? 5000;
    const maxAttempts = this.resubscribe?.maxAttempts ?? Number.POSITIVE_INFINITY;
    let failures = 0;
    try {
      while (!this.closed) {
        const subscription = this.client.subscribeToAll({
          fromPosition: this.last === 'start' ? START : this.last,
          filter: serverFilter(this.filter),
        });
        this.current = subscription;
        try {
          for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
            if (this.closed) return;
            const raw = resolved.event;
            if (!raw) continue;
            if (this.last !== 'start' && comparePositions(raw.position, this.last) <= 0) continue;
            this.last = raw.position;
            failures = 0;
            if (isSystemEvent(raw.streamId, raw.type)) continue;
            if (!matchesFilter(this.filter, raw.streamId, raw.type)) continue;
            const event = recordedEventFromEsdb(resolved);
            if (event) yield event;
          }
        } catch (error) {
          if (this.closed) return;
          failures += 1;
          if (!isTransient(error) || failures >= maxAttempts) throw error;
        }
        if (this.closed) return;
        // Ended without an error (server closed the stream) or failed transiently: back off.
        await this.sleep(Math.min(maxDelay, initialDelay * 2 ** Math.min(failures, 20)));
      }
    } finally {
      await this.close();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.cancelSleep = done;
    });
  }
}

/** Narrows on the server where possible; `matchesFilter` re-checks exactly on the client. */
function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  }
  return excludeSystemEvents();
}

function isTransient(error: unknown): boolean {
  return !(
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof UnsupportedError
  );
}
