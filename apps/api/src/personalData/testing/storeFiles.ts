import { createDatabase } from '@missive/projections';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

/**
 * Every store file in the data directory: the event log, read models and key store (those
 * that are files), with their WAL and shared-memory files. (The sandbox transport's outbox
 * beside them is mail already delivered: out of Missive's hands, as a real mailbox is.)
 */
export function storeFiles(dir: string): Map<string, Buffer> {
  const names = readdirSync(dir).filter((name) => /\.db(-wal|-shm|-journal)?$/.test(name));
  // The key store is `keys.db` beside SQLite read models, a table beside PostgreSQL ones.
  if (!names.includes('events.db')) throw new Error(`no event log in ${dir}`);
  return new Map(names.map((name) => [name, readFileSync(join(dir, name))]));
}

/** The names of the store files that hold `value`, in UTF-8. */
export function filesHolding(dir: string, value: string): string[] {
  return [...storeFiles(dir)].filter(([, bytes]) => bytes.includes(value)).map(([name]) => name);
}

/** Every byte of the files of one store (the database, its WAL and shared-memory files). */
export function bytesOf(dir: string, base: string): Buffer {
  return Buffer.concat(
    [...storeFiles(dir)]
      .filter(([name]) => name === base || name.startsWith(`${base}-`))
      .map(([, bytes]) => bytes),
  );
}

/** A connection to the shared test server, for the schema of one test. */
export async function withPostgres(run: (db: Kysely<unknown>) => Promise<unknown>): Promise<void> {
  const db = createDatabase(PG_TEST_URL);
  try {
    await run(db);
  } finally {
    await db.destroy();
  }
}

/**
 * Read models (and so the key store) in a PostgreSQL schema of the test's own: the settings a
 * TestApp is started with, and the drop that ends it.
 */
export async function postgresReadModels(
  prefix: string,
): Promise<{ env: { READ_MODEL_URL: string }; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withPostgres((db) => sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db));
  const options = encodeURIComponent(`-c search_path=${schema}`);
  return {
    env: { READ_MODEL_URL: `${PG_TEST_URL}?options=${options}` },
    drop: () => withPostgres((db) => sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(db)),
  };
}
