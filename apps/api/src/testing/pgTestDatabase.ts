import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A database and a login role of its own on the shared PostgreSQL server, for tests that run
 * whole API instances on PostgreSQL. The role is not a superuser, so a connection limit of 0
 * really shuts it out: `outage()` makes PostgreSQL unreachable for this test alone (its
 * connections are ended, new ones refused) while everybody else's keep working.
 */
export interface PgTestDatabase {
  /** Connection URL as the test's own role. */
  readonly url: string;
  readonly name: string;
  outage(): Promise<void>;
  restore(): Promise<void>;
  /** Ends this role's connections now (as a server restart would), without refusing new ones. */
  terminate(): Promise<number>;
  drop(): Promise<void>;
}

export async function createPgTestDatabase(prefix: string): Promise<PgTestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: PG_TEST_URL });
  try {
    await admin.connect();
  } catch (error) {
    // Fail, never skip: CI starts PostgreSQL, so an unreachable server is a broken setup.
    throw new Error(`PostgreSQL at ${PG_TEST_URL} is unreachable (set PG_TEST_URL)`, {
      cause: error,
    });
  }
  await admin.query(`CREATE ROLE "${name}" LOGIN`);
  await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
  const url = new URL(PG_TEST_URL);
  url.username = name;
  url.password = '';
  url.pathname = `/${name}`;
  const terminate = async () => {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
      [name],
    );
    return rowCount ?? 0;
  };
  return {
    url: url.toString(),
    name,
    terminate,
    async outage() {
      await admin.query(`ALTER ROLE "${name}" CONNECTION LIMIT 0`);
      await terminate();
    },
    async restore() {
      await admin.query(`ALTER ROLE "${name}" CONNECTION LIMIT -1`);
    },
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS "${name}"`);
      } finally {
        await admin.end();
      }
    },
  };
}
