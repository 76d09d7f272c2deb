import type { Projection } from '@missive/projections';
import { bounceFeedbackProcessManager } from './bounces/bounceFeedbackProcessManager';
import { deliveryQueueProjection } from './delivery/deliveryQueueProjection';
import {
  notificationsProcessManager,
  type NotificationsOptions,
} from './notifications/notificationsProcessManager';

/** The notifier's three checkpointed consumers, by role. */
export interface NotifierProcessManagers {
  /** Conversation and channel events to outbound messages (needs ids, the secret, a sender). */
  readonly notifications: Projection;
  /**
   * The messages waiting for delivery. A projection, but the dispatcher writes its rows too
   * (leases, attempt state), so it is run and operated as a process manager: a rebuild would
   * drop in-flight state and send twice.
   */
  readonly deliveryQueue: Projection;
  /** Bounces to channel feedback events; needs only the store. */
  readonly bounceFeedback: Projection;
}

/**
 * The one list of what the notifier runs: `startNotifier` runs these, and the projectors
 * catalogue reads them for the operator CLI.
 */
export function notifierProcessManagers(options: NotificationsOptions): NotifierProcessManagers {
  return {
    notifications: notificationsProcessManager(options),
    deliveryQueue: deliveryQueueProjection,
    bounceFeedback: bounceFeedbackProcessManager({ store: options.store, now: options.now }),
  };
}
