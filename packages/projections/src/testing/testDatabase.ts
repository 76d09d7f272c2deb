import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { type SqlDialectName, createDatabase } from '../database';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ReadModel = Kysely<any>;

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

/** A private read-model database for one test: a temp SQLite file or a fresh PG schema. */
export interface TestDatabase {
  readonly dialect: SqlDialectName;
  /** The first connection (pool), opened eagerly. */
  readonly db: ReadModel;
  /** Another independent connection (pool) to the same database, like a second process. */
  open(): ReadModel;
  /** Destroys every connection opened here and drops the schema or file. */
  cleanup(): Promise<void>;
}

export async function openTestDatabase(dialect: SqlDialectName): Promise<TestDatabase> {
  return dialect === 'sqlite' ? openSqlite() : openPostgres();
}

async function openSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'projections-test-'));
  const url = `sqlite:${join(dir, 'read-model.db')}`;
  const opened: ReadModel[] = [];
  const open = (): ReadModel => {
    const db = createDatabase(url);
    opened.push(db);
    return db;
  };
  return {
    dialect: 'sqlite',
    db: open(),
    open,
    async cleanup() {
      await Promise.allSettled(opened.map((db) => db.destroy()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<TestDatabase> {
  const schema = `projections_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDatabase(PG_TEST_URL, { poolSize: 1 });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(admin);
  } catch (error) {
    await admin.destroy();
    // Fail, never skip: CI starts PostgreSQL, so an unreachable server is a broken setup.
    throw new Error(
      `PostgreSQL at ${PG_TEST_URL} is unreachable (set PG_TEST_URL): ${String(error)}`,
      { cause: error },
    );
  }
  const opened: ReadModel[] = [];
  const open = (): ReadModel => {
    const db = createDatabase(PG_TEST_URL, { schema, poolSize: 4 });
    opened.push(db);
    return db;
  };
  return {
    dialect: 'postgres',
    db: open(),
    open,
    async cleanup() {
      await Promise.allSettled(opened.map((db) => db.destroy()));
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin);
      } finally {
        await admin.destroy();
      }
    },
  };
}
