import type { PoolClient } from 'pg';
import { eventKey } from '../sqlite/eventKey';
import { appendFunctionSql } from './appendFunction';

/** Identifiers and lock keys of one store's tables inside its schema. */
export interface PostgresNames {
  readonly schema: string;
  /** `"schema".events`, quoted. */
  readonly events: string;
  /** `"schema".append_batch`, quoted: see `appendFunction.ts`. */
  readonly appendFunction: string;
  /** Name of the prepared statement that calls `appendFunction`. */
  readonly appendStatement: string;
  /** NOTIFY channel that announces commits to this schema's log. */
  readonly channel: string;
  /** Advisory-lock key pair held by every transaction that assigns positions. */
  readonly appendLock: readonly [number, number];
  /** Advisory-lock key pair held while creating the schema. */
  readonly ddlLock: readonly [number, number];
}

// 'MISV': the first half of every advisory-lock key this store takes.
const LOCK_CLASS = 0x4d495356;

export function postgresNames(schema: string): PostgresNames {
  if (schema.length === 0 || schema.length > 63) {
    throw new RangeError(`event store schema name must be 1 to 63 characters: ${schema}`);
  }
  const quoted = quoteIdentifier(schema);
  const key = eventKey(`${schema}.events`);
  return {
    schema,
    events: `${quoted}.events`,
    appendFunction: `${quoted}.append_batch`,
    appendStatement: `missive_append_${key >>> 0}`,
    // A channel name is an identifier (at most 63 bytes); pg_notify takes it as text.
    channel: `missive_events_${key >>> 0}`,
    appendLock: [LOCK_CLASS, key],
    ddlLock: [LOCK_CLASS, key ^ 0x5a5a5a5a],
  };
}

/**
 * Creates the schema, table, indexes and append function when missing (the function is
 * replaced, so a newer version takes effect on start). Idempotent, and safe when several
 * processes start together: the advisory lock makes them run one after another (plain
 * `IF NOT EXISTS` can still fail on a concurrent creation).
 *
 * - `position` is the global sequence, assigned as max + 1 under the append lock, so it has
 *   no gaps and rows become visible in position order (see `PostgresEventStore`);
 * - `(stream_id, revision)` is unique: a last line of defence behind the in-memory checks;
 * - `event_key`, the 32-bit FNV-1a of the event id (as in the SQLite file), finds ids for
 *   idempotent re-appends with a small index; lookups still compare the full id.
 */
export async function ensureSchema(client: PoolClient, names: PostgresNames): Promise<void> {
  const [classId, objectId] = names.ddlLock;
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${classId}, ${objectId})`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(names.schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.events} (
      position bigint PRIMARY KEY,
      stream_id text NOT NULL,
      revision integer NOT NULL,
      event_id text NOT NULL,
      event_key integer NOT NULL,
      type text NOT NULL,
      data json NOT NULL,
      metadata json,
      created timestamptz NOT NULL DEFAULT transaction_timestamp(),
      CONSTRAINT events_stream_revision UNIQUE (stream_id, revision)
    )`);
    await client.query(
      `CREATE INDEX IF NOT EXISTS events_event_key ON ${names.events} (event_key)`,
    );
    await client.query(appendFunctionSql(names));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
