import type { PoolClient } from 'pg';
import type { AppendResult, ExpectedRevision } from '../eventStore';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import type { PendingAppend } from '../pendingAppend';
import type { PostgresNames } from './postgresSchema';

export type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

const WRITTEN = 0;
const ALREADY_THERE = 1;

/**
 * Commits a group of appends in one transaction, one statement and one round trip (the
 * `append_batch` function, see `appendFunction.ts`), and says what became of each.
 *
 * The function first takes the store's advisory lock, so transactions that assign positions
 * run one at a time across every process: each one reads the heads, the ids already stored
 * and the log's last position after the previous holder committed, and inserts at max + 1
 * onwards. PostgreSQL makes a commit visible before it releases the transaction's locks, so
 * positions become visible strictly in order and without gaps: a reader that sees position n
 * sees every position below it, and no later commit can land below what a reader has passed.
 *
 * Throws when the statement itself fails: every append in it failed (nothing was written).
 */
export async function commitBatch(
  client: PoolClient,
  names: PostgresNames,
  batch: readonly PendingAppend[],
): Promise<{ outcomes: Outcome[]; written: number }> {
  const stream: string[] = [];
  const expected: number[] = [];
  const count: number[] = [];
  const id: string[] = [];
  const key: number[] = [];
  const type: string[] = [];
  const data: string[] = [];
  const metadata: (string | null)[] = [];
  for (const pending of batch) {
    stream.push(pending.stream);
    expected.push(expectedCode(pending.expected));
    count.push(pending.events.length);
    for (const event of pending.events) {
      id.push(event.id);
      key.push(event.key);
      type.push(event.type);
      data.push(event.data);
      metadata.push(event.metadata);
    }
  }
  const [lockClass, lockKey] = names.appendLock;
  const result = await client.query<[number, string, string | null]>({
    // Prepared once per connection (the name is the schema's): no parse or plan per batch.
    name: names.appendStatement,
    text: `SELECT status, revision::text, pos::text FROM ${names.appendFunction}(
      $1::text[], $2::bigint[], $3::int[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
      $9::text, $10::int, $11::int)`,
    values: [
      stream,
      expected,
      count,
      id,
      key,
      type,
      data,
      metadata,
      names.channel,
      lockClass,
      lockKey,
    ],
    rowMode: 'array',
  });
  if (result.rows.length !== batch.length) {
    throw new Error(`append_batch answered ${result.rows.length} of ${batch.length} appends`);
  }
  let written = 0;
  const outcomes = result.rows.map(([status, revision, position], i): Outcome => {
    const pending = batch[i]!;
    if (status === WRITTEN || status === ALREADY_THERE) {
      if (status === WRITTEN) written += pending.events.length;
      const at = BigInt(position!);
      return {
        ok: true,
        result: { nextExpectedRevision: Number(revision), position: { commit: at, prepare: at } },
      };
    }
    const actual = Number(revision);
    return {
      ok: false,
      error: new WrongExpectedVersionError(
        pending.stream,
        pending.expected,
        actual < 0 ? 'no_stream' : actual,
      ),
    };
  });
  return { outcomes, written };
}

function expectedCode(expected: ExpectedRevision): number {
  switch (expected) {
    case 'no_stream':
      return -1;
    case 'any':
      return -2;
    case 'stream_exists':
      return -3;
    default:
      return expected;
  }
}
