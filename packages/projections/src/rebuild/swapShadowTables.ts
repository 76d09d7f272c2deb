import { type Kysely, type Transaction, sql } from 'kysely';
import { dialectOf } from '../database';
import type { Projection } from '../projection';
import { existingTables } from './existingTables';
import { type OwnedObjects, SHADOW_SUFFIX, shadowName } from './shadowTablesPlugin';

/**
 * Inside the switch-over transaction: drops the live tables and gives the shadow tables (and
 * their indexes and constraints) the live names. O(1) in the size of the tables on PostgreSQL.
 * SQLite renames tables but not indexes, so there the shadow's indexes are dropped and
 * `migrate` recreates them under their live names: an index build that holds the write lock
 * (readers are not blocked: WAL). Finally `migrate` runs on the live names either way, so what
 * it declares is exactly what exists, as after a fresh start.
 */
export async function swapShadowTables(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tx: Transaction<any>,
  projection: Projection,
  owned: OwnedObjects,
): Promise<void> {
  const tables = [...owned.tables];
  const shadows = await existingTables(tx, tables.map(shadowName));
  for (const table of tables) {
    await sql`drop table if exists ${sql.table(table)}`.execute(tx);
  }
  for (const table of tables) {
    if (!shadows.has(shadowName(table))) continue;
    await sql`alter table ${sql.table(shadowName(table))} rename to ${sql.table(table)}`.execute(
      tx,
    );
  }
  if (dialectOf(tx) === 'postgres') await unsuffixPostgresObjects(tx, tables);
  else await dropSqliteIndexes(tx, tables);
  await projection.migrate(tx);
}

/** Indexes (and so their constraints), other constraints and sequences keep the shadow names. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function unsuffixPostgresObjects(tx: Kysely<any>, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const relation = sql`to_regclass(quote_ident(${table}))`;
    const { rows: indexes } = await sql<{ name: string }>`
      select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = ${relation}`.execute(tx);
    for (const { name } of indexes) {
      if (!name.includes(SHADOW_SUFFIX)) continue;
      await sql`alter index ${sql.id(name)} rename to ${sql.id(unsuffixed(name))}`.execute(tx);
    }
    // Index-backed constraints were renamed with their index; these have none.
    const { rows: constraints } = await sql<{ name: string }>`
      select conname as name from pg_constraint
      where conrelid = ${relation} and conindid = 0`.execute(tx);
    for (const { name } of constraints) {
      if (!name.includes(SHADOW_SUFFIX)) continue;
      await sql`alter table ${sql.table(table)} rename constraint ${sql.id(name)} to ${sql.id(unsuffixed(name))}`.execute(
        tx,
      );
    }
    const { rows: sequences } = await sql<{ name: string }>`
      select s.relname as name from pg_class s join pg_depend d on d.objid = s.oid
      where s.relkind = 'S' and d.refobjid = ${relation} and d.deptype in ('a', 'i')`.execute(tx);
    for (const { name } of sequences) {
      if (!name.includes(SHADOW_SUFFIX)) continue;
      await sql`alter sequence ${sql.id(name)} rename to ${sql.id(unsuffixed(name))}`.execute(tx);
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function dropSqliteIndexes(tx: Kysely<any>, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  // `sql is null` marks the automatic indexes of PRIMARY KEY/UNIQUE: renamed with the table.
  const { rows } = await sql<{ name: string }>`select name from sqlite_schema
    where type = 'index' and sql is not null and tbl_name in (${sql.join(tables)})`.execute(tx);
  for (const { name } of rows) await sql`drop index ${sql.id(name)}`.execute(tx);
}

function unsuffixed(name: string): string {
  return name.replace(SHADOW_SUFFIX, '');
}
