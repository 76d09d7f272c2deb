import type { Projection } from '../projection';
import type { ShadowTablesPlugin } from './shadowTablesPlugin';

/** Suffix of a rebuild's own name: keys its checkpoint (in `projection_rebuilds`) and parked events. */
export const REBUILD_NAME_SUFFIX = '#rebuild';

export function rebuildNameOf(name: string): string {
  return `${name}${REBUILD_NAME_SUFFIX}`;
}

/**
 * The same projection writing its shadow tables: `migrate` and `apply` run through the
 * renaming plugin, and its name keeps its checkpoint and parked events apart from the live
 * copy's.
 */
export function shadowProjection(projection: Projection, plugin: ShadowTablesPlugin): Projection {
  return {
    name: rebuildNameOf(projection.name),
    version: projection.version,
    kind: projection.kind ?? 'read-model',
    filter: projection.filter,
    migrate: (db) => projection.migrate(db.withPlugin(plugin)),
    apply: (events, tx) => projection.apply(events, tx.withPlugin(plugin)),
  };
}
