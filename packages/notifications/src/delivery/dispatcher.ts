import {
  type OutboundEvent,
  type OutboundMessageState,
  cancelOutboundMessage,
  commsRecordExpiresAt,
  evolveOutboundMessage,
  queueScheduledMessage,
  recordAttemptFailed,
  startDispatch,
  streams,
} from '@missive/domain';
import { type EventStore, WrongExpectedVersionError } from '@missive/event-store';
import { execute, toEventData } from '@missive/command-handling';
import type { Kysely } from 'kysely';
import { forEachConcurrently } from '../shared/forEachConcurrently';
import { type NotifierLogger, SILENT_LOGGER, describeError } from '../shared/notifierLogger';
import type { OutgoingMessage, SendResult, Transport } from '../transports/transport';
import type { TransportRegistry } from '../transports/transportRegistry';
import type { DeliveryQueueDatabase, DeliveryQueueTable } from './deliveryQueueTables';
import { type LoadedOutboundMessage, loadOutboundMessage } from './loadOutboundMessage';
import { interruptedAttempt } from './interruptedAttempt';
import { outcomeEvents } from './outcomeEvents';
import type { DispatcherOptions, DispatcherStatus, PassResult } from './dispatcherOptions';

export type { DispatcherOptions, DispatcherStatus, PassResult } from './dispatcherOptions';

/**
 * A single failed pass is retried with backoff and is no reason to restart the process; three
 * in a row (about 7 poll intervals) mean it cannot reach its database or store by itself.
 */
const FAILING_AFTER = 3;

const SEEN_TTL_MS = 10 * 60 * 1000;

/**
 * Delivers what the `delivery-queue` rows say is due, oldest first. The queue only points at
 * work; each message's own stream decides, and appending with the revision just loaded is the
 * lock: of two dispatchers (or notifier instances) claiming the same attempt, one append wins
 * and the other gives up, so an attempt is sent once.
 *
 * Crash safety is at-least-once towards the transport (docs/delivery.md). An attempt left
 * `sending` by a crash is taken back (see interruptedAttempt) and sent again, so transports
 * make a resend harmless: SMTP sends the same Message-ID (`<outboundId@missive>`) for
 * receivers to de-duplicate, the sandbox keeps one record per outbound id.
 */
export class Dispatcher {
  readonly #store: EventStore;
  readonly #db: Kysely<DeliveryQueueDatabase>;
  readonly #transports: TransportRegistry;
  readonly #retryBaseMs: number;
  readonly #leaseMs: number;
  readonly #dispatcherId: string | undefined;
  readonly #startedAt: Date;
  readonly #pollIntervalMs: number;
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #now: () => Date;
  readonly #logger: NotifierLogger;

  /** Where the next pass continues, so rows not yet updated by the projection are not re-read. */
  #cursor: { readonly dueAt: string; readonly id: string } | null = null;
  /** Stream revision each message had when last handled; rows older than that are stale. */
  readonly #seen = new Map<string, { revision: number; at: number }>();
  #passTail: Promise<unknown> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #wakePending = false;
  #lastPassAt: string | null = null;
  #failures = 0;
  #lastError: string | null = null;

  constructor(options: DispatcherOptions) {
    this.#store = options.store;
    this.#db = options.db as Kysely<DeliveryQueueDatabase>;
    this.#transports = options.transports;
    this.#retryBaseMs = options.retryBaseMs;
    this.#leaseMs = options.leaseMs;
    this.#dispatcherId = options.dispatcherId;
    this.#pollIntervalMs = Math.max(1, options.pollIntervalMs);
    this.#concurrency = Math.max(1, options.concurrency ?? 16);
    this.#batchSize = Math.max(1, options.batchSize ?? 256);
    this.#now = options.now ?? (() => new Date());
    this.#startedAt = this.#now();
    this.#logger = options.logger ?? SILENT_LOGGER;
  }

  /** Runs passes in the background until `stop()`. */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Lets the pass in flight finish (its attempts are recorded), then stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await this.#passTail;
  }

  status(): DispatcherStatus {
    const state = !this.#loop ? 'stopped' : this.#failures >= FAILING_AFTER ? 'failing' : 'running';
    return {
      state,
      healthy: state === 'running',
      lastPassAt: this.#lastPassAt,
      consecutiveFailures: this.#failures,
      lastError: this.#lastError,
    };
  }

  /** Look at the queue now (new rows were committed) instead of at the next poll. */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#wakePending = true;
  }

  /** One pass over the due rows. Passes never overlap. */
  runOnce(): Promise<PassResult> {
    const pass = this.#passTail.then(() => this.#pass());
    this.#passTail = pass.catch(() => undefined);
    return pass;
  }

  async #run(): Promise<void> {
    this.#failures = 0;
    while (!this.#stopping) {
      let full = false;
      try {
        const result = await this.runOnce();
        full = result.examined >= this.#batchSize;
        this.#failures = 0;
        this.#lastError = null;
      } catch (error) {
        this.#failures += 1;
        this.#lastError = describeError(error);
        this.#logger.error('dispatcher: pass failed, retrying', {
          error: this.#lastError,
          failures: this.#failures,
        });
      }
      this.#lastPassAt = new Date().toISOString();
      const failures = this.#failures;
      if (this.#stopping) break;
      if (full) continue;
      await this.#sleep(
        failures > 0
          ? Math.min(30_000, this.#pollIntervalMs * 2 ** failures)
          : this.#pollIntervalMs,
      );
    }
  }

  async #pass(): Promise<PassResult> {
    const now = this.#now();
    const rows = await this.#dueRows(now);
    this.#cursor =
      rows.length < this.#batchSize
        ? null
        : { dueAt: rows[rows.length - 1]!.due_at, id: rows[rows.length - 1]!.outbound_id };
    this.#forgetOld(Date.now());
    const fresh = rows.filter((row) => {
      const seen = this.#seen.get(row.outbound_id);
      if (!seen) return true;
      if (row.revision < seen.revision) return false;
      this.#seen.delete(row.outbound_id);
      return true;
    });
    let dispatched = 0;
    await forEachConcurrently(fresh, this.#concurrency, async (row) => {
      try {
        if (await this.#handle(row.outbound_id)) dispatched += 1;
      } catch (error) {
        this.#logger.warn('dispatcher: message failed, will look again', {
          outboundId: row.outbound_id,
          error: describeError(error),
        });
      }
    });
    return { examined: rows.length, dispatched };
  }

  #dueRows(now: Date): Promise<DeliveryQueueTable[]> {
    const due = now.toISOString();
    const leaseCutoff = new Date(now.getTime() - this.#leaseMs).toISOString();
    const cursor = this.#cursor;
    let query = this.#db
      .selectFrom('delivery_queue')
      .selectAll()
      .where('due_at', '<=', due)
      .where((eb) => {
        const open = [eb('state', '<>', 'sending'), eb('due_at', '<=', leaseCutoff)];
        // Attempts begun before this run may be ours, left by a crash: each looked at once.
        if (this.#dispatcherId) open.push(eb('due_at', '<', this.#startedAt.toISOString()));
        return eb.or(open);
      });
    if (cursor) {
      query = query.where((eb) =>
        eb.or([
          eb('due_at', '>', cursor.dueAt),
          eb.and([eb('due_at', '=', cursor.dueAt), eb('outbound_id', '>', cursor.id)]),
        ]),
      );
    }
    return query.orderBy('due_at').orderBy('outbound_id').limit(this.#batchSize).execute();
  }

  /** Moves one message on as far as it is due. Resolves true when it did something. */
  async #handle(outboundId: string): Promise<boolean> {
    let message = await loadOutboundMessage(this.#store, outboundId);
    if (!message) return false;
    let acted = false;
    const now = this.#now();
    const at = now.toISOString();
    const isDue = (s: OutboundMessageState) => !s.dispatchAt || Date.parse(s.dispatchAt) <= +now;

    if (message.state.state === 'scheduled' && isDue(message.state)) {
      message = await this.#append(message, queueScheduledMessage(message.state, { queuedAt: at }));
      if (!message) return true;
      acted = true;
    }
    const taken = interruptedAttempt(message.state, {
      now,
      leaseMs: this.#leaseMs,
      dispatcherId: this.#dispatcherId,
      runStartedAt: this.#startedAt,
    });
    if (taken) {
      this.#logger.warn('dispatcher: taking back an interrupted attempt', {
        outboundId,
        ...taken.attempt,
        reason: taken.error.message,
      });
      const failed = { error: taken.error, retryAt: at, failedAt: at };
      message = await this.#append(message, recordAttemptFailed(message.state, failed));
      if (!message) return true;
      acted = true;
    }
    if (message.state.state !== 'staged' || !isDue(message.state)) {
      this.#remember(outboundId, message.revision);
      return acted;
    }

    const m = message.state.message;
    if (m.kind === 'comms' && Date.parse(commsRecordExpiresAt(m)) <= +now) {
      // Its retention ended before it could go: its key is deleted (or is about to be), and
      // what would go out is placeholders. A record no longer kept is not sent.
      await this.#append(message, cancelOutboundMessage(message.state, { cancelledAt: at }));
      return true;
    }
    const transport = this.#transports.for(m.channel);
    const claimed = await this.#append(
      message,
      startDispatch(message.state, {
        transport: transport?.name ?? 'none',
        startedAt: at,
        dispatcher: this.#dispatcherId,
      }),
    );
    if (!claimed) return acted;
    const result = await this.#send(transport, claimed.state);
    await this.#record(claimed, result);
    return true;
  }

  async #send(transport: Transport | undefined, state: OutboundMessageState): Promise<SendResult> {
    const m = state.message;
    if (!transport) {
      // A configuration gap an operator can close before the attempts run out.
      return {
        outcome: 'failed',
        transient: true,
        error: { code: 'no_transport', message: `no transport is registered for ${m.channel}` },
      };
    }
    const outgoing: OutgoingMessage = {
      outboundId: m.outboundId,
      messageId: m.messageId,
      channel: m.channel,
      to: m.to,
      from: m.from,
      fromName: m.fromName,
      replyTo: m.replyTo,
      subject: m.subject,
      body: m.body,
      htmlBody: m.htmlBody,
      media: m.media,
    };
    try {
      return await transport.send(outgoing);
    } catch (error) {
      return {
        outcome: 'failed',
        transient: true,
        error: { code: 'transport_error', message: describeError(error) },
      };
    }
  }

  /** Records the attempt's result; if the stream moved meanwhile, decides again on it. */
  async #record(claimed: LoadedOutboundMessage, result: SendResult): Promise<void> {
    const at = this.#now();
    const recorded = await this.#append(
      claimed,
      outcomeEvents(claimed.state, result, at, this.#retryBaseMs),
    );
    if (recorded) {
      this.#remember(claimed.state.message.outboundId, recorded.revision);
      return;
    }
    const stream = streams.outbound(claimed.state.message.outboundId);
    await execute(
      this.#store,
      stream,
      evolveOutboundMessage,
      (state) => outcomeEvents(state, result, at, this.#retryBaseMs),
      claimed.ctx,
      this.#now,
    );
  }

  /**
   * Appends at the loaded revision. Resolves with the message as it now stands, the same
   * message when there was nothing to append, or null when another writer got there first.
   */
  async #append(
    message: LoadedOutboundMessage,
    events: readonly OutboundEvent[],
  ): Promise<LoadedOutboundMessage | null> {
    if (events.length === 0) return message;
    const at = this.#now();
    try {
      const result = await this.#store.append(
        streams.outbound(message.state.message.outboundId),
        events.map((e) => toEventData(e, message.ctx, at)),
        { expectedRevision: message.revision },
      );
      const state = events.reduce<OutboundMessageState | null>(
        evolveOutboundMessage,
        message.state,
      )!;
      return { ...message, state, revision: result.nextExpectedRevision };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      return null;
    }
  }

  #remember(outboundId: string, revision: number): void {
    this.#seen.set(outboundId, { revision, at: Date.now() });
  }

  #forgetOld(nowMs: number): void {
    for (const [id, seen] of this.#seen) {
      if (nowMs - seen.at > SEEN_TTL_MS) this.#seen.delete(id);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    if (this.#wakePending) {
      this.#wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
