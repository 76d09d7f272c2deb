import { sql, type Kysely } from 'kysely';
import { Client, type ClientConfig } from 'pg';
import { dialectOf } from './database';
import { postgresPoolOf } from './readRowsPrepared';

const RETRY_MS = 1000;

/**
 * Tells every process listening on `channel` (`listenOnReadModel`) that something they keep
 * from this read model changed. Inside a projection's transaction: PostgreSQL delivers it when
 * the transaction commits, never before. The payload is the schema, so that read models kept
 * in several schemas of one database do not hear each other. Nothing on SQLite, where no other
 * process keeps anything from the file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function notifyReadModel(tx: Kysely<any>, channel: string): Promise<void> {
  if (dialectOf(tx) !== 'postgres') return;
  await sql`SELECT pg_notify(${channel}, current_schema())`.execute(tx);
}

export interface ReadModelListener {
  close(): Promise<void>;
}

/**
 * Listens on `channel` for `notifyReadModel` from this read model's schema, on a connection
 * of its own beside the pool of `db` (the PostgreSQL instance `createDatabase` returned;
 * `undefined` for any other). `listening(true)` once it listens, `listening(false)` when the
 * connection is lost (it connects again every second) or closed: while it is not listening a
 * notification can be missed, so whatever it guards must not be trusted then.
 */
export function listenOnReadModel(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  channel: string,
  handlers: { notified(): void; listening(on: boolean): void },
): ReadModelListener | undefined {
  const pool = postgresPoolOf(db);
  if (!pool) return undefined;
  const config = pool.options as ClientConfig;
  let client: Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let connecting: Promise<void> = Promise.resolve();
  const again = () => {
    if (closed) return;
    retry = setTimeout(() => {
      connecting = connect();
    }, RETRY_MS);
    retry.unref();
  };
  const connect = async () => {
    const candidate = new Client(config);
    // A lost connection emits 'error' then 'end': 'end' decides.
    candidate.on('error', () => undefined);
    let schema: string | null = null;
    candidate.on('notification', (message) => {
      if (message.channel === channel && message.payload === schema) handlers.notified();
    });
    candidate.on('end', () => {
      if (client !== candidate) return;
      client = undefined;
      handlers.listening(false);
      again();
    });
    try {
      await candidate.connect();
      const { rows } = await candidate.query<{ schema: string | null }>(
        'SELECT current_schema() AS schema',
      );
      schema = rows[0]?.schema ?? null;
      await candidate.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    } catch {
      void candidate.end().catch(() => undefined);
      again();
      return;
    }
    if (closed) {
      await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    handlers.listening(true);
  };
  connecting = connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await connecting;
      const open = client;
      client = undefined;
      handlers.listening(false);
      await open?.end().catch(() => undefined);
    },
  };
}
