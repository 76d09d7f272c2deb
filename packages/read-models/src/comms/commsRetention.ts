import { commsMessageSubject, commsOperationSubject } from '@missive/personal-data';
import { truncateSqliteWal } from '@missive/projections';
import type { Kysely } from 'kysely';
import type { OutboundMessagesDatabase } from '../outboundMessages/outboundMessagesTables';
import type { SchemalessDb } from '../schemaless';
import type { CommsDatabase } from './commsTables';

/** The longest a purge waits for the next: expired rows are already hidden from reads. */
export const COMMS_PURGE_INTERVAL_MS = 60 * 60 * 1000;

const PURGE_CHUNK = 1000;

/**
 * Deletes the data keys of Comms records (the protected event store's `eraseAll`): their text,
 * addresses, variables and media in the log read as placeholders from then on.
 */
export interface CommsKeyEraser {
  eraseAll(subjects: readonly string[]): Promise<unknown>;
}

export interface CommsPurgeResult {
  messages: number;
  operations: number;
  /** SQLite: whether the WAL, holding the purged rows' old pages, was emptied. */
  walTruncated: boolean;
}

/**
 * Ends the Comms messages and operations whose retention ended at or before `now`: first their
 * keys (so the log's copy becomes unreadable even should the rest fail; a later run finds the
 * rows again), then their rows, the message's tags and its CommMessages row included. In
 * chunks, so that no transaction holds the projector's write lock for long. On SQLite the WAL
 * is then emptied, as erasure does, so that the purged rows are gone from the files too.
 */
export async function purgeExpiredComms(
  db: SchemalessDb,
  keys: CommsKeyEraser,
  now: Date,
): Promise<CommsPurgeResult> {
  const comms = db as Kysely<CommsDatabase & OutboundMessagesDatabase>;
  const cutoff = now.toISOString();
  const expired = (table: 'comms_messages' | 'comms_operations') =>
    comms
      .selectFrom(table)
      .select('id')
      .where('expires_at', '<=', cutoff)
      .limit(PURGE_CHUNK)
      .execute()
      .then((rows) => rows.map((row) => row.id));
  let messages = 0;
  for (
    let ids = await expired('comms_messages');
    ids.length > 0;
    ids = await expired('comms_messages')
  ) {
    await keys.eraseAll(ids.map(commsMessageSubject));
    await comms.transaction().execute(async (tx) => {
      const gone = await tx
        .selectFrom('comms_message_tags')
        .select(['key', 'value', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('message_id', 'in', ids)
        .groupBy(['key', 'value'])
        .execute();
      for (const { key, value, n } of gone) {
        await tx
          .updateTable('comms_tag_counts')
          .set((eb) => ({ messages: eb('messages', '-', Number(n)) }))
          .where('key', '=', key)
          .where('value', '=', value)
          .execute();
      }
      await tx.deleteFrom('comms_message_tags').where('message_id', 'in', ids).execute();
      await tx.deleteFrom('comms_messages').where('id', 'in', ids).execute();
      // The same message as the CommMessages view (outbound-messages) holds it.
      await tx
        .deleteFrom('outbound_messages')
        .where('outbound_id', 'in', ids)
        .where('kind', '=', 'comms')
        .execute();
    });
    messages += ids.length;
  }
  let operations = 0;
  for (
    let ids = await expired('comms_operations');
    ids.length > 0;
    ids = await expired('comms_operations')
  ) {
    await keys.eraseAll(ids.map(commsOperationSubject));
    await comms.deleteFrom('comms_operations').where('id', 'in', ids).execute();
    operations += ids.length;
  }
  const walTruncated = messages + operations === 0 || (await truncateSqliteWal(db));
  return { messages, operations, walTruncated };
}

/**
 * Purges now and then every `intervalMs` until stopped; failures are reported, not thrown. A
 * WAL that readers kept from being emptied is emptied at the next run, purged rows or not.
 */
export function startCommsPurge(
  db: SchemalessDb,
  keys: CommsKeyEraser,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let walPending = false;
  const purge = async () => {
    try {
      const result = await purgeExpiredComms(db, keys, new Date());
      walPending =
        result.messages + result.operations > 0
          ? !result.walTruncated
          : walPending && !(await truncateSqliteWal(db));
    } catch (error) {
      options.onError?.(error);
    }
  };
  const run = () => {
    // A run that outlasts the interval is not overlapped: the next tick finds it busy.
    running ??= purge().finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? COMMS_PURGE_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** How often to purge under a retention: as often as records can expire, at most hourly. */
export function commsPurgeIntervalMs(retentionMs: number): number {
  return Math.max(1000, Math.min(COMMS_PURGE_INTERVAL_MS, retentionMs));
}
