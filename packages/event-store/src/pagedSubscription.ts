import type { RecordedEvent, Subscription } from './eventStore';

/** One page of the log after some sequence number, and how far the read got. */
export interface SubscriptionPage {
  readonly events: readonly RecordedEvent[];
  /** Sequence number to continue after; may pass the last event when a filter skipped rows. */
  readonly next: bigint;
}

/**
 * Catch-up then live over a log read in pages by sequence number (the commit part of a
 * position): reads pages until the log is exhausted, then sleeps until woken (a local commit,
 * or a notification from another process where the adapter has one) or until the poll
 * interval elapses, which is how commits from elsewhere are seen when nothing wakes it.
 * Failures the adapter calls transient are retried with back-off from the last delivered
 * position; other errors (an unknown start position included) end the iteration.
 */
export class PagedSubscription implements Subscription {
  private closed = false;
  private started = false;
  /**
   * Set by `wake()`. The page read is awaited, so a commit may land between "the page came
   * back empty" and "going idle"; this flag keeps its wake-up from being lost.
   */
  private woken = false;
  private wakeUp: (() => void) | undefined;
  /** Last sequence number delivered (or passed); undefined until the start is read. */
  private after: bigint | undefined;

  constructor(
    private readonly readPage: (after: bigint) => Promise<SubscriptionPage>,
    /** Where to start; throwing ends the iteration (a reader may also refuse it later). */
    private readonly start: () => bigint,
    private readonly pollIntervalMs: number,
    private readonly isTransient: (error: unknown) => boolean,
    private readonly onClose: (subscription: PagedSubscription) => void,
  ) {}

  /** Called after a commit; cheap when the subscription is busy catching up. */
  wake(): void {
    this.woken = true;
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('a subscription can be iterated only once');
    this.started = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<RecordedEvent> {
    let failures = 0;
    try {
      while (!this.closed) {
        this.woken = false;
        let page: SubscriptionPage;
        try {
          this.after ??= this.start();
          page = await this.readPage(this.after);
          failures = 0;
        } catch (error) {
          if (this.closed) return;
          if (!this.isTransient(error)) throw error;
          failures += 1;
          await this.idle(Math.min(5000, this.pollIntervalMs * 2 ** Math.min(failures, 8)));
          continue;
        }
        if (page.events.length === 0) {
          this.after = page.next;
          if (!this.woken) await this.idle(this.pollIntervalMs);
          continue;
        }
        for (const event of page.events) {
          if (this.closed) return;
          this.after = event.position.commit;
          yield event;
        }
        this.after = page.next;
      }
    } finally {
      await this.close();
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
