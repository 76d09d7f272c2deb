import type { Kysely } from 'kysely';
import type { SchemalessDb } from '../schemaless';
import type { CommsDatabase } from './commsTables';

/** How often a projector should purge: expired rows are already hidden, so this only reclaims space. */
export const COMMS_PURGE_INTERVAL_MS = 60 * 60 * 1000;

const PURGE_CHUNK = 1000;

/**
 * Deletes Comms messages (with their tags) and operations whose retention ended at or before
 * `now`, in chunks so that no transaction holds the projector's write lock for long. Returns
 * how many messages and operations went.
 */
export async function purgeExpiredComms(
  db: SchemalessDb,
  now: Date,
): Promise<{ messages: number; operations: number }> {
  const comms = db as Kysely<CommsDatabase>;
  const cutoff = now.toISOString();
  let messages = 0;
  for (;;) {
    const ids = (
      await comms
        .selectFrom('comms_messages')
        .select('id')
        .where('expires_at', '<=', cutoff)
        .limit(PURGE_CHUNK)
        .execute()
    ).map((row) => row.id);
    if (ids.length === 0) break;
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
    });
    messages += ids.length;
  }
  let operations = 0;
  for (;;) {
    const ids = (
      await comms
        .selectFrom('comms_operations')
        .select('id')
        .where('expires_at', '<=', cutoff)
        .limit(PURGE_CHUNK)
        .execute()
    ).map((row) => row.id);
    if (ids.length === 0) break;
    await comms.deleteFrom('comms_operations').where('id', 'in', ids).execute();
    operations += ids.length;
  }
  return { messages, operations };
}

/** Purges now and then every `intervalMs` until stopped; failures are reported, not thrown. */
export function startCommsPurge(
  db: SchemalessDb,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = purgeExpiredComms(db, new Date()).catch((error) => options.onError?.(error));
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
