import { ConfirmationCodes, IdGenerator } from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import { notifierProcessManagers } from '@missive/notifications';
import type { Projection, ProjectionKind } from '@missive/projections';
import { channelsProjectorProjections } from './channelsProjector';
import { conversationsProjectorProjections } from './conversationsProjector';
import { messagesProjectorProjections } from './messagesProjector';

/** The read models each projector process builds, by the name of its app. */
export const projectorProcesses = {
  'conversations-projector': conversationsProjectorProjections,
  'channels-projector': channelsProjectorProjections,
  'messages-projector': messagesProjectorProjections,
} as const satisfies Record<string, readonly Projection[]>;

/**
 * Every read model the projector processes build, in their order. The API answers from these
 * and, on the embedded default, builds them in its own process.
 */
export const readModelProjections: readonly Projection[] = Object.values(projectorProcesses).flat();

export interface CatalogueEntry {
  /** Its `kind` is the catalogue's word, whatever the projection object says. */
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
 * Every projection and process manager the system runs, by the app that runs it: what the
 * operator CLI reports on, rebuilds and replays. `packages/projections` stays ignorant of
 * the read models; this package is where they are named.
 */
export function projectionCatalogue(store: EventStore): readonly CatalogueEntry[] {
  const entries: CatalogueEntry[] = [
    ...Object.entries(projectorProcesses).flatMap(([app, projections]) =>
      readModels(app, projections),
    ),
    ...notifierEntries(store),
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
 * The notifier's process managers, from the list `startNotifier` runs. All three are operated
 * as process managers (never rebuilt). `notifications` needs the notifier's ids, confirmation
 * secret and sender to apply events: built here with inert ones, it serves status only (its
 * name, version and filter); rebuild and replay of it are refused.
 */
function notifierEntries(store: EventStore): CatalogueEntry[] {
  const managers = notifierProcessManagers({
    store,
    ids: new IdGenerator(63),
    codes: new ConfirmationCodes('not a secret: this instance is never applied'),
    sender: { from: 'status-only@missive.invalid', fromName: 'Missive' },
    bounceThreshold: 1,
  });
  const entry = (projection: Projection, appliable: boolean): CatalogueEntry => ({
    projection: as('process-manager', projection),
    app: 'notifier',
    appliable,
  });
  return [
    entry(managers.notifications, false),
    entry(managers.deliveryQueue, true),
    entry(managers.bounceFeedback, true),
  ];
}

function readModels(app: string, projections: readonly Projection[]): CatalogueEntry[] {
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
