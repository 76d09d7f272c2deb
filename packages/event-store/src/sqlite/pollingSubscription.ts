import type { RecordedEvent, Subscription } from '../eventStore';

/** One page of the log after some sequence number, and how far the read got. */
export interface LogPage {
  readonly events: readonly RecordedEvent[];
  /** Sequence number to continue after; may pass the last event when a filter skipped rows. */
  readonly next: number;
}

/**
 * Catch-up then live: reads pages until the log is exhausted, then sleeps until woken by an
 * in-process commit or until the poll interval elapses (commits from other processes are
 * only seen by polling).
 */
export class PollingSubscription implements Subscription {
  private closed = false;
  private started = false;
  private wakeUp: (() => void) | undefined;

  private after = 0;

  constructor(
    private readonly readPage: (after: number) => LogPage,
    /** Where to start; throws for a position the log does not have (ends the iteration). */
    private readonly start: () => number,
    private readonly pollIntervalMs: number,
    private readonly onClose: (subscription: PollingSubscription) => void,
  ) {}

  /** Called after a local commit; cheap when the subscription is busy catching up. */
  wake(): void {
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
    try {
      this.after = this.start();
      while (!this.closed) {
        const page = this.readPage(this.after);
        if (page.events.length === 0) {
          this.after = page.next;
          // readPage and idle() run in the same tick, so no commit can slip between them.
          await this.idle();
          continue;
        }
        for (const event of page.events) {
          if (this.closed) return;
          this.after = Number(event.position.commit);
          yield event;
        }
        this.after = page.next;
      }
    } finally {
      await this.close();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wakeUp = done;
    });
  }
}
