import { type Kysely, sql } from 'kysely';
import type { ProjectionTables } from '../projectionTables';
import { type OwnedObjects, shadowName } from './shadowTablesPlugin';

/**
 * Forgets a rebuild's shadow copy in one transaction: its tables (with their indexes), its
 * checkpoint row and the events it parked. The live copy is untouched.
 */
export async function discardShadow(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  rebuildName: string,
  owned: OwnedObjects,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const runtime = tx as unknown as Kysely<ProjectionTables>;
    // First a write: on SQLite it takes the write lock before anything is read.
    await runtime.deleteFrom('projection_rebuilds').where('name', '=', rebuildName).execute();
    await runtime.deleteFrom('projection_parked').where('projection', '=', rebuildName).execute();
    for (const table of owned.tables) {
      await sql`drop table if exists ${sql.table(shadowName(table))}`.execute(tx);
    }
  });
}
