import { channelsProjectorProjections } from '@missive/channels-projector';
import { conversationsProjectorProjections } from '@missive/conversations-projector';
import { ConfirmationCodes, IdGenerator } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { messagesProjectorProjections } from '@missive/messages-projector';
import {
  bounceFeedbackProcessManager,
  deliveryQueueProjection,
  notificationsProcessManager,
} from '@missive/notifier';
import type { Projection, ProjectionKind } from '@missive/projections';

export interface RegisteredProjection {
  /** Its `kind` is the registry's word, whatever the projection object says. */
  readonly projection: Projection;
  /** The app that runs it. */
  readonly app: string;
  /**
   * False when this process cannot run its `apply` for real: a process manager whose side
   * effects need its own process's wiring (ids, secrets, transports). Such an entry serves
   * `status` only.
   */
  readonly appliable: boolean;
}

/**
 * Every projection and process manager the system runs, by the app that runs it: the CLI's
 * composition root, as each app's `index.ts` is its own. An app contributes by exporting its
 * list; `packages/projections` stays ignorant of the read models.
 */
export function projectionRegistry(store: EventStore): readonly RegisteredProjection[] {
  const entries: RegisteredProjection[] = [
    ...readModels('conversations-projector', conversationsProjectorProjections),
    ...readModels('channels-projector', channelsProjectorProjections),
    ...readModels('messages-projector', messagesProjectorProjections),
    ...notifierProcessManagers(store),
  ];
  const seen = new Set<string>();
  for (const { projection, app } of entries) {
    if (seen.has(projection.name)) {
      throw new Error(`two projections are named ${projection.name} (one of them in ${app})`);
    }
    seen.add(projection.name);
  }
  return entries;
}

/**
 * HOOK(notifier): the notifier's process managers. Until apps/notifier exports one list that
 * `startNotifier` also uses (say `notifierProcessManagers(options)`), they are built here from
 * its exported factories:
 * - `delivery-queue` is a projection, but the dispatcher writes its rows too (leases, attempt
 *   state), so a rebuild would drop in-flight state and send twice: treated as a process
 *   manager;
 * - `bounce-feedback` needs only the store: replay of its parked events works here;
 * - `notifications` needs the notifier's ids, confirmation secret and sender: built with inert
 *   ones for its name, version and filter only (status; rebuild refused; replay refused).
 */
function notifierProcessManagers(store: EventStore): RegisteredProjection[] {
  const inert = notificationsProcessManager({
    store,
    ids: new IdGenerator(63),
    codes: new ConfirmationCodes('not a secret: this instance is never applied'),
    sender: { from: 'status-only@missive.invalid', fromName: 'Missive' },
    bounceThreshold: 1,
  });
  return [
    { projection: as('process-manager', inert), app: 'notifier', appliable: false },
    {
      projection: as('process-manager', deliveryQueueProjection),
      app: 'notifier',
      appliable: true,
    },
    {
      projection: as('process-manager', bounceFeedbackProcessManager({ store })),
      app: 'notifier',
      appliable: true,
    },
  ];
}

function readModels(app: string, projections: readonly Projection[]): RegisteredProjection[] {
  return projections.map((projection) => ({
    projection: as(projection.kind ?? 'read-model', projection),
    app,
    appliable: true,
  }));
}

/** A wrapper rather than a spread: a projection may keep its methods on a prototype. */
function as(kind: ProjectionKind, projection: Projection): Projection {
  return {
    name: projection.name,
    version: projection.version,
    kind,
    filter: projection.filter,
    migrate: (db) => projection.migrate(db),
    apply: (events, tx) => projection.apply(events, tx),
  };
}
