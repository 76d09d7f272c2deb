import { type Kysely, sql } from 'kysely';
import { dialectOf } from './database';
import type { Projection } from './projection';
import {
  type CheckpointTable,
  type ProjectionTables,
  ensureProjectionTables,
  readCheckpoint,
} from './projectionTables';

/**
 * Creates the runtime's tables, the projection's checkpoint row (at the start) and the
 * projection's own tables, in one transaction. Refuses to start a version older than one a
 * rebuild already switched in.
 */
export async function migrateProjection(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  projection: Projection,
  checkpointTable: CheckpointTable,
): Promise<void> {
  const { name, version } = projection;
  const postgres = dialectOf(db) === 'postgres';
  await db.transaction().execute(async (tx) => {
    if (postgres) {
      // Concurrent CREATE TABLE IF NOT EXISTS can still fail on PostgreSQL (catalog unique
      // violation); every starter takes the same transaction-scoped lock first.
      await sql`select pg_advisory_xact_lock(hashtext('missive.projections.migrate'))`.execute(tx);
    }
    await ensureProjectionTables(tx);
    if (checkpointTable === 'projection_checkpoints') {
      const newest = await readCheckpoint(tx, name);
      if (newest && newest.version > version) {
        // Old code starting after a rebuild switched in a newer version: creating its
        // checkpoint at the start would replay the whole log into the newer tables.
        throw new Error(
          `projection ${name} v${version} is superseded by v${newest.version}: this process runs old code`,
        );
      }
    }
    await (tx as Kysely<ProjectionTables>)
      .insertInto(checkpointTable)
      .values({ name, version, position: 'start', updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(['name', 'version']).doNothing())
      .execute();
    await projection.migrate(tx);
  });
}
