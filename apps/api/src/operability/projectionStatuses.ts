import { decodePosition, type EventStore } from '@missive/event-store';
import { isMissingTableError, lagBetween } from '@missive/projections';
import type { SchemalessDb } from '@missive/read-models';

export interface ProjectionLag {
  readonly name: string;
  readonly version: number;
  readonly lag: number;
  readonly parked: number;
}

/**
 * Every projection's newest version as its checkpoint row says, whichever process runs it:
 * the API may serve reads built by projector containers elsewhere.
 */
export async function projectionStatuses(
  store: EventStore,
  db: SchemalessDb,
  expected: readonly { name: string; version: number }[] = [],
): Promise<ProjectionLag[]> {
  const head = await store.headPosition();
  const notStarted = (names: ReadonlySet<string>) =>
    expected
      .filter((p) => !names.has(p.name))
      .map((p) => ({
        name: p.name,
        version: p.version,
        lag: lagBetween(head, 'start'),
        parked: 0,
      }));
  try {
    const [rows, parked] = await Promise.all([
      db.selectFrom('projection_checkpoints').select(['name', 'version', 'position']).execute(),
      db
        .selectFrom('projection_parked')
        .select(['projection', 'version', (eb) => eb.fn.countAll().as('n')])
        .groupBy(['projection', 'version'])
        .execute(),
    ]);
    const newest = new Map<string, { version: number; position: string }>();
    for (const row of rows as { name: string; version: number; position: string }[]) {
      const seen = newest.get(row.name);
      if (!seen || seen.version < Number(row.version)) {
        newest.set(row.name, { version: Number(row.version), position: row.position });
      }
    }
    const parkedOf = (name: string, version: number) =>
      Number(
        (parked as { projection: string; version: number; n: unknown }[]).find(
          (p) => p.projection === name && Number(p.version) === version,
        )?.n ?? 0,
      );
    return [
      ...[...newest.entries()].map(([name, { version, position }]) => ({
        name,
        version,
        lag: lagBetween(head, decodePosition(position)),
        parked: parkedOf(name, version),
      })),
      ...notStarted(new Set(newest.keys())),
    ].sort((a, b) => a.name.localeCompare(b.name));
  } catch (err) {
    if (isMissingTableError(err)) return notStarted(new Set());
    throw err;
  }
}
