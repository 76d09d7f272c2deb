import { Client, type ClientConfig } from 'pg';

/** `application_name` of the LISTEN connections, to find them in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'missive-event-store-listen';

/**
 * One LISTEN connection per store, opened while somebody wants to hear of commits. A NOTIFY
 * sent by any process's append (on commit) calls `onCommit`. When the connection drops it
 * reconnects with back-off and calls `onCommit` once reconnected, since notifications sent in
 * between are lost; readers poll anyway, so a lost notification delays, never loses, an event.
 */
export class CommitListener {
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly channel: string,
    private readonly onCommit: () => void,
  ) {}

  start(): void {
    if (!this.stopped && !this.client && !this.retryTimer) void this.connect();
  }

  /** Final: ends the connection and any reconnection. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ ...this.config, application_name: LISTENER_APPLICATION_NAME });
    this.client = client;
    let failed = false;
    const fail = (): void => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', () => this.onCommit());
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch {
      fail();
      return;
    }
    if (this.stopped || this.client !== client) {
      // stop() ran meanwhile: this connection is nobody's.
      failed = true;
      await client.end().catch(() => undefined);
      return;
    }
    this.failures = 0;
    // Commits made while we were not listening were not announced.
    this.onCommit();
  }

  private retry(): void {
    if (this.stopped || this.retryTimer) return;
    this.failures += 1;
    const delay = Math.min(5000, 50 * 2 ** Math.min(this.failures, 7));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
