import { type AllStreamResolvedEvent, type Filter, UnavailableError } from '@eventstore/db-client';

type Item = { readonly event: AllStreamResolvedEvent } | { readonly error: Error };

/**
 * What the stand-in's `subscribeToAll` returns, reduced to what the adapter uses: iteration,
 * `unsubscribe` and `destroy`. It applies the server-side filter, and can be made to drop
 * (UnavailableError) after a number of events or to fail with a given error.
 */
export class LiveSubscription implements AsyncIterable<AllStreamResolvedEvent> {
  private readonly queue: Item[] = [];
  private waiting: (() => void) | undefined;
  private ended = false;
  private delivered = 0;

  constructor(
    private readonly dropAfter: number | undefined,
    private readonly filter: Filter | undefined,
    private readonly onEnd: (subscription: LiveSubscription) => void,
  ) {}

  deliver(event: AllStreamResolvedEvent): void {
    if (this.ended) return;
    if (!matchesServerFilter(this.filter, event)) return;
    if (this.dropAfter !== undefined && this.delivered >= this.dropAfter) {
      this.fail(new UnavailableError());
      return;
    }
    this.delivered += 1;
    this.push({ event });
  }

  /** Ends the subscription with an error once the events already queued are read. */
  fail(error: Error): void {
    if (this.ended) return;
    this.push({ error });
    this.ended = true;
    this.onEnd(this);
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
        if (item && 'error' in item) throw item.error;
        if (item) {
          yield item.event;
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

  private push(item: Item): void {
    this.queue.push(item);
    this.waiting?.();
  }
}

/** The server's filter: on the stream name or the event type, by prefixes or a regex. */
export function matchesServerFilter(
  filter: Filter | undefined,
  resolved: AllStreamResolvedEvent,
): boolean {
  const event = resolved.event;
  if (!filter || !event) return true;
  const subject = filter.filterOn === 'streamName' ? event.streamId : event.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
}
