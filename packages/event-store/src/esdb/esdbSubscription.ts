import {
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
  START,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
} from '@eventstore/db-client';
import type { EventFilter, RecordedEvent, Subscription } from '../eventStore';
import { matchesFilter } from '../matchesFilter';
import { comparePositions, type Position } from '../position';
import { SubscriptionFailedError } from '../subscriptionFailedError';
import { UnknownPositionError } from '../unknownPositionError';
import { isInvalidPositionError, isRetryable } from './esdbErrors';
import type { KnownLogEnd } from './logEnd';
import { isSystemEvent, recordedEventFromEsdb } from './recordedEventFromEsdb';

export interface ResubscribeOptions {
  /** First delay after a drop. Default 100 ms; doubles on each failure in a row. */
  readonly initialDelayMs?: number;
  /** Cap on the delay. Default 5000 ms. */
  readonly maxDelayMs?: number;
  /**
   * Give up after this many failures in a row: the iteration throws SubscriptionFailedError.
   * Default 20 (about 80 s of outage with the default delays).
   */
  readonly maxAttempts?: number;
  /** Told of every retryable failure before the pause, so that an outage is logged. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const DEFAULT_MAX_ATTEMPTS = 20;

/**
 * `subscribeToAll` that survives connection drops: it resubscribes from the last position it
 * saw, and drops anything at or before that position so nothing is delivered twice. What no
 * retry can fix ends the iteration at once: a start position the log does not have
 * (UnknownPositionError), or a refusal such as missing rights (SubscriptionFailedError).
 */
export class EsdbSubscription implements Subscription {
  private closed = false;
  private started = false;
  private current: AllStreamSubscription | undefined;
  private cancelSleep: (() => void) | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly logEnd: KnownLogEnd,
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
    const maxAttempts = this.resubscribe?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    // The caller's start is checked once; later starts are positions the server delivered.
    let checked = this.last === 'start';
    let failures = 0;
    try {
      while (!this.closed) {
        try {
          if (!checked) {
            await this.logEnd.assertInLog(this.last as Position);
            checked = true;
          }
          const subscription = this.client.subscribeToAll({
            fromPosition: this.last === 'start' ? START : this.last,
            filter: serverFilter(this.filter),
          });
          this.current = subscription;
          for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
            if (this.closed) return;
            const raw = resolved.event;
            if (!raw) continue;
            if (this.last !== 'start' && comparePositions(raw.position, this.last) <= 0) continue;
            this.last = raw.position;
            this.logEnd.saw(raw.position);
            failures = 0;
            if (isSystemEvent(raw.streamId, raw.type)) continue;
            if (!matchesFilter(this.filter, raw.streamId, raw.type)) continue;
            const event = recordedEventFromEsdb(resolved);
            if (event) yield event;
          }
        } catch (error) {
          if (this.closed) return;
          failures += 1;
          throwIfFinal(error, this.last, failures, maxAttempts);
          const delay = backoff(initialDelay, maxDelay, failures);
          this.resubscribe?.onRetry?.(error, failures, delay);
          await this.sleep(delay);
          continue;
        }
        if (this.closed) return;
        // Ended without an error (the server closed the stream): resubscribe after a pause.
        await this.sleep(backoff(initialDelay, maxDelay, failures));
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

function throwIfFinal(
  error: unknown,
  last: Position | 'start',
  failures: number,
  maxAttempts: number,
): void {
  if (error instanceof UnknownPositionError) throw error;
  if (isInvalidPositionError(error) && last !== 'start') {
    throw new UnknownPositionError(last, 'the server refused to read from it');
  }
  const message = error instanceof Error ? error.message : String(error);
  if (!isRetryable(error)) {
    throw new SubscriptionFailedError(`subscription to $all refused: ${message}`, failures, error);
  }
  if (failures >= maxAttempts) {
    throw new SubscriptionFailedError(
      `subscription to $all failed ${failures} times in a row; last error: ${message}`,
      failures,
      error,
    );
  }
}

function backoff(initialDelay: number, maxDelay: number, failures: number): number {
  return Math.min(maxDelay, initialDelay * 2 ** Math.min(failures, 20));
}

/** Narrows on the server where possible; `matchesFilter` re-checks exactly on the client. */
export function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    return eventTypeFilter({ prefixes: [...filter.eventTypes] });
  }
  return excludeSystemEvents();
}
