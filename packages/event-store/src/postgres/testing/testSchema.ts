import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { Client } from 'pg';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

/** A schema name of its own for one test run; `drop()` removes it and everything in it. */
export interface TestSchema {
  readonly url: string;
  readonly schema: string;
  drop(): Promise<void>;
}

export async function createTestSchemaName(prefix = 'es_test'): Promise<TestSchema> {
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: withUser(PG_TEST_URL) });
  try {
    await admin.connect();
  } catch (error) {
    // Fail, never skip: CI starts PostgreSQL, so an unreachable server is a broken setup.
    throw new Error(
      `PostgreSQL at ${PG_TEST_URL} is unreachable (set PG_TEST_URL): ${String(error)}`,
      { cause: error },
    );
  }
  return {
    url: PG_TEST_URL,
    schema,
    async drop() {
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

function withUser(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username)
    parsed.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return parsed.toString();
}
