import { ConfirmationCodes, IdGenerator, type OutboundChannel } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { ProjectionRunner, type ProjectionLogger } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';
import { Dispatcher } from './delivery/dispatcher';
import { notifierProcessManagers } from './notifierProcessManagers';
import type { HttpProviderTransportOptions } from './transports/httpProviderTransport';
import type { Transport } from './transports/transport';
import { TransportRegistry, createTransportRegistry } from './transports/transportRegistry';

export interface NotifierOptions {
  readonly store: EventStore;
  /** The read-model database: the process managers' tables and the delivery queue live there. */
  readonly db: SchemalessDb;
  /** The API's CONFIRMATION_SECRET (or the embedded default's file: see confirmationSecret). */
  readonly confirmationSecret: string;
  /** Where the sandbox writes (`<dataDir>/sandbox`) when there is no SMTP relay. */
  readonly dataDir: string;
  /** CommMessage ids: in the API's process pass its generator, so ids never collide. */
  readonly ids?: IdGenerator;
  /** Node number of a generator of our own when `ids` is not given. Default 63. */
  readonly nodeId?: number;
  /**
   * The dispatcher's name in its attempts, the same across restarts and unique among live
   * notifiers, so a restart takes back its own unfinished attempts at once. Default
   * `node-<nodeId>`.
   */
  readonly dispatcherId?: string;
  /** NOTIFICATION_FROM. */
  readonly from?: string;
  /** NOTIFICATION_FROM_NAME; default `Missive`. */
  readonly fromName?: string;
  /** SMTP_URL: email goes through this relay instead of the sandbox. */
  readonly smtpUrl?: string;
  /** COMMS_PROVIDER_*: deliver Comms phone/WhatsApp messages through this HTTP provider. */
  readonly commsProvider?: HttpProviderTransportOptions;
  /** Transports for other channels (Comms `phone`, `whatsapp`), or a replacement for email. */
  readonly transports?: Partial<Record<OutboundChannel, Transport>> | TransportRegistry;
  /** BOUNCE_THRESHOLD; default 1 (Canvas). */
  readonly bounceThreshold?: number;
  /** DELIVERY_RETRY_BASE_MS; default 60 s. */
  readonly retryBaseMs?: number;
  /** DELIVERY_LEASE_MS; default 5 min. */
  readonly leaseMs?: number;
  /** DELIVERY_POLL_INTERVAL_MS; default 1 s (new messages wake the dispatcher at once). */
  readonly deliveryPollIntervalMs?: number;
  /** DELIVERY_CONCURRENCY; default 16. */
  readonly deliveryConcurrency?: number;
  /** PROJECTOR_POLL_INTERVAL_MS of the three projections. */
  readonly pollIntervalMs?: number;
  /** Run the dispatcher loop (default). Off: only `dispatcher.runOnce()` sends (tests, tools). */
  readonly dispatch?: boolean;
  readonly logger?: ProjectionLogger;
  readonly now?: () => Date;
}

export interface Notifier {
  /** `notifications`, `delivery-queue`, `bounce-feedback`: status, wake, health. */
  readonly runners: readonly ProjectionRunner[];
  readonly dispatcher: Dispatcher;
  readonly transports: TransportRegistry;
  /** Finishes the attempts in flight and the batches being applied, then closes transports. */
  stop(): Promise<void>;
}

export const DEFAULT_NOTIFICATION_FROM = 'notifications@missive.invalid';

/**
 * Starts the notifier: the notifications and bounce-feedback process managers and the
 * delivery-queue projection, each on its own durable checkpoint, and the dispatcher that
 * delivers the queue. The API runs it in its process (RUN_PROJECTORS=true); `main.ts` runs it
 * alone.
 */
export async function startNotifier(options: NotifierOptions): Promise<Notifier> {
  const transports =
    options.transports instanceof TransportRegistry
      ? options.transports
      : createTransportRegistry({
          smtpUrl: options.smtpUrl,
          dataDir: options.dataDir,
          extra: options.transports,
          commsProvider: options.commsProvider,
        });
  const dispatcher = new Dispatcher({
    store: options.store,
    db: options.db,
    transports,
    retryBaseMs: options.retryBaseMs ?? 60_000,
    leaseMs: options.leaseMs ?? 300_000,
    dispatcherId: options.dispatcherId ?? `node-${options.nodeId ?? 63}`,
    pollIntervalMs: options.deliveryPollIntervalMs ?? 1000,
    concurrency: options.deliveryConcurrency,
    now: options.now,
    logger: options.logger,
  });
  const common = {
    store: options.store,
    db: options.db,
    pollIntervalMs: options.pollIntervalMs,
    logger: options.logger,
  };
  const managers = notifierProcessManagers({
    store: options.store,
    ids: options.ids ?? new IdGenerator(options.nodeId ?? 63),
    codes: new ConfirmationCodes(options.confirmationSecret),
    sender: {
      from: options.from ?? DEFAULT_NOTIFICATION_FROM,
      fromName: options.fromName ?? 'Missive',
    },
    bounceThreshold: options.bounceThreshold ?? 1,
    onCreated: () => deliveryQueue.wake(),
    now: options.now,
  });
  const deliveryQueue = new ProjectionRunner({
    ...common,
    projection: managers.deliveryQueue,
    onCommitted: () => dispatcher.wake(),
  });
  const notifications = new ProjectionRunner({
    ...common,
    projection: managers.notifications,
    // A batch's fan-out is appended while its transaction is open: keep batches small enough
    // that one batch of course-wide messages does not hold the read-model writer for long.
    batchSize: 100,
  });
  const bounceFeedback = new ProjectionRunner({
    ...common,
    projection: managers.bounceFeedback,
  });
  const runners = [notifications, deliveryQueue, bounceFeedback];
  // One after the other: each start migrates its tables, and SQLite has one writer.
  for (const runner of runners) await runner.start();
  if (options.dispatch ?? true) dispatcher.start();
  return {
    runners,
    dispatcher,
    transports,
    stop: async () => {
      await dispatcher.stop();
      await Promise.all(runners.map((r) => r.stop()));
      await transports.close();
    },
  };
}
