import type { RecordedEvent, Subscription } from '../eventStore';

/** One page of the log after some position, and how far the read got. */
export interface PositionPage {
  readonly events: readonly RecordedEvent[];
  /** Position to continue after; may pass the last event when a filter skipped rows. */
  readonly next: bigint;
}

/**
 * Catch-up then live over an asynchronous page reader: reads pages until the log is
 * exhausted, then sleeps until woken (a local commit, or a NOTIFY from another process) or
 * until the poll interval elapses, which covers a lost notification. Connection failures are
 * retried with back-off from the last delivered position; other errors (an unknown start
 * position included) end the iteration.
 */
export class NotifiedSubscription implements Subscription {
  private closed = false;
  private started = false;
  /** Set by `wake()`; a wake that arrives while a page is being read is not lost. */
  private woken = false;
  private wakeUp: (() => void) | undefined;
  /** Last position delivered (or passed); undefined until the start is checked. */
  private after: bigint | undefined;

  constructor(
    private readonly readPage: (after: bigint) => Promise<PositionPage>,
    /** Where to start; throws for a malformed position (ends the iteration). The first page
     * read refuses a position the log does not have. */
    private readonly start: () => bigint,
    private readonly pollIntervalMs: number,
    private readonly isTransient: (error: unknown) => boolean,
    private readonly onClose: (subscription: NotifiedSubscription) => void,
  ) {}

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
        let page: PositionPage;
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
