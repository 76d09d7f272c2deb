import type { PoolClient } from 'pg';
import type { AppendResult, ExpectedRevision, StreamRevision } from '../eventStore';
import { WrongExpectedVersionError } from '../wrongExpectedVersionError';
import type { PostgresNames } from './postgresSchema';

export interface SerializedEvent {
  readonly id: string;
  readonly key: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string | null;
}

export interface PendingAppend {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly SerializedEvent[];
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

interface StoredId {
  readonly stream: string;
  readonly revision: StreamRevision;
  readonly position: bigint;
}

/** Columns of one INSERT ... SELECT FROM unnest(...), one array per column. */
class Rows {
  readonly position: string[] = [];
  readonly stream: string[] = [];
  readonly revision: number[] = [];
  readonly id: string[] = [];
  readonly key: number[] = [];
  readonly type: string[] = [];
  readonly data: string[] = [];
  readonly metadata: (string | null)[] = [];
}

const NO_STREAM = -1;

/**
 * Commits a group of appends in one transaction on `client` and says what became of each.
 *
 * The transaction first takes the store's advisory lock, so transactions that assign
 * positions run one at a time across every process: each one reads the heads, the ids already
 * stored and the log's last position after the previous holder committed, decides every
 * append in memory (a conflict rejects only that append), and inserts all accepted events at
 * max + 1 onwards. PostgreSQL makes a commit visible before it releases the transaction's
 * locks, so positions become visible strictly in order: a reader that sees position n sees
 * every position below it, and no later commit can land below what a reader has passed.
 *
 * Throws (having rolled back) when the transaction itself fails: every append in it failed.
 */
export async function commitBatch(
  client: PoolClient,
  names: PostgresNames,
  batch: readonly PendingAppend[],
): Promise<{ outcomes: Outcome[]; written: number; lastPosition: bigint }> {
  const [classId, objectId] = names.appendLock;
  // Simple-query protocol: both statements in one round trip.
  await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${classId}, ${objectId})`);
  try {
    const state = await readState(client, names, batch);
    const rows = new Rows();
    let next = state.lastPosition + 1n;
    const outcomes: Outcome[] = batch.map((pending) => {
      try {
        const decided = decide(pending, state, rows, next);
        next = decided.next;
        return { ok: true, result: decided.result };
      } catch (error) {
        return { ok: false, error };
      }
    });
    if (rows.position.length > 0) {
      await client.query(
        `WITH inserted AS (
           INSERT INTO ${names.events} (position, stream_id, revision, event_id, event_key, type, data, metadata)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::json[], $8::json[])
           RETURNING 1
         ) SELECT pg_notify($9, $10)`,
        [
          rows.position,
          rows.stream,
          rows.revision,
          rows.id,
          rows.key,
          rows.type,
          rows.data,
          rows.metadata,
          names.channel,
          String(next - 1n),
        ],
      );
    }
    await client.query('COMMIT');
    return { outcomes, written: rows.position.length, lastPosition: next - 1n };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

interface BatchState {
  readonly lastPosition: bigint;
  /** Last revision of each stream the batch touches, updated as appends are accepted. */
  readonly heads: Map<string, StreamRevision>;
  /** Where each of the batch's event ids already sits, updated as appends are accepted. */
  readonly ids: Map<string, StoredId[]>;
}

/** One round trip, under the lock: last position, heads of the batch's streams, known ids. */
async function readState(
  client: PoolClient,
  names: PostgresNames,
  batch: readonly PendingAppend[],
): Promise<BatchState> {
  const streams = [...new Set(batch.map((pending) => pending.stream))];
  const ids: string[] = [];
  const keys = new Set<number>();
  for (const pending of batch) {
    for (const event of pending.events) {
      ids.push(event.id);
      keys.add(event.key);
    }
  }
  const result = await client.query<[number, string | null, string | null, number | null, string]>({
    text: `SELECT 0, NULL, NULL, NULL::integer, coalesce(max(position), 0)::text FROM ${names.events}
             UNION ALL
             SELECT 1, stream_id, NULL, max(revision), NULL FROM ${names.events}
              WHERE stream_id = ANY($1::text[]) GROUP BY stream_id
             UNION ALL
             SELECT 2, stream_id, event_id, revision, position::text FROM ${names.events}
              WHERE event_key = ANY($2::int[]) AND event_id = ANY($3::text[])`,
    values: [streams, [...keys], ids],
    rowMode: 'array',
  });
  let lastPosition = 0n;
  const heads = new Map<string, StreamRevision>();
  const stored = new Map<string, StoredId[]>();
  for (const [kind, stream, id, revision, position] of result.rows) {
    if (kind === 0) lastPosition = BigInt(position);
    else if (kind === 1) heads.set(stream!, revision!);
    else addId(stored, id!, { stream: stream!, revision: revision!, position: BigInt(position) });
  }
  return { lastPosition, heads, ids: stored };
}

/** Mirrors the SQLite adapter's checks; throws `WrongExpectedVersionError` on a conflict. */
function decide(
  pending: PendingAppend,
  state: BatchState,
  rows: Rows,
  next: bigint,
): { result: AppendResult; next: bigint } {
  const { stream, expected, events } = pending;
  const current = state.heads.get(stream) ?? NO_STREAM;
  const conflict = (): WrongExpectedVersionError =>
    new WrongExpectedVersionError(stream, expected, current === NO_STREAM ? 'no_stream' : current);
  const retried = (fromRevision: number): { result: AppendResult; next: bigint } => {
    const result = sameEventsAt(state, stream, fromRevision, events);
    if (!result) throw conflict();
    return { result, next };
  };

  if (expected === 'any' || expected === 'stream_exists') {
    if (current === NO_STREAM) {
      if (expected === 'stream_exists') throw conflict();
    } else {
      const firstRevision = firstRevisionOf(state, stream, events[0]!.id);
      if (firstRevision !== undefined) return retried(firstRevision);
    }
  } else if (expected === 'no_stream') {
    if (current !== NO_STREAM) return retried(0);
  } else if (current !== expected) {
    if (current > expected) return retried(expected + 1);
    throw conflict();
  }

  let revision = current;
  let position = next;
  for (const event of events) {
    revision += 1;
    rows.position.push(String(position));
    rows.stream.push(stream);
    rows.revision.push(revision);
    rows.id.push(event.id);
    rows.key.push(event.key);
    rows.type.push(event.type);
    rows.data.push(event.data);
    rows.metadata.push(event.metadata);
    addId(state.ids, event.id, { stream, revision, position });
    position += 1n;
  }
  state.heads.set(stream, revision);
  return {
    result: {
      nextExpectedRevision: revision,
      position: { commit: position - 1n, prepare: position - 1n },
    },
    next: position,
  };
}

/** The original result if exactly these event ids sit in the stream from `fromRevision`. */
function sameEventsAt(
  state: BatchState,
  stream: string,
  fromRevision: number,
  events: readonly SerializedEvent[],
): AppendResult | null {
  let position = 0n;
  for (let i = 0; i < events.length; i++) {
    const found = state.ids
      .get(events[i]!.id)
      ?.find((at) => at.stream === stream && at.revision === fromRevision + i);
    if (!found) return null;
    position = found.position;
  }
  return {
    nextExpectedRevision: fromRevision + events.length - 1,
    position: { commit: position, prepare: position },
  };
}

function firstRevisionOf(state: BatchState, stream: string, id: string): number | undefined {
  let first: number | undefined;
  for (const at of state.ids.get(id) ?? []) {
    if (at.stream === stream && (first === undefined || at.revision < first)) first = at.revision;
  }
  return first;
}

function addId(ids: Map<string, StoredId[]>, id: string, at: StoredId): void {
  const list = ids.get(id);
  if (list) list.push(at);
  else ids.set(id, [at]);
}
