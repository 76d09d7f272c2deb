import {
  createEventStore,
  ScratchSchemas,
  SqliteEventStore,
  type EventStore,
} from '@missive/event-store';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';

/**
 * Where a bench's API keeps its stores: the embedded default in its data directory, or
 * PostgreSQL for the read models (`BENCH_READ_MODEL_URL`) and/or the event store
 * (`BENCH_EVENT_STORE_URL`), each URL a server and database to make a fresh schema in, dropped
 * at the end (`BENCH_PG_SCHEMA=<name>` keeps a named one instead and reuses it, as
 * `BENCH_DATA_DIR` keeps the files). The server's CPU then includes the PostgreSQL backends
 * that serve the API: every connection the API opens carries the run's `application_name`.
 */
export interface BenchStores {
  /** The API's environment: `EVENT_STORE_URL` / `READ_MODEL_URL` when on PostgreSQL. */
  readonly env: Record<string, string>;
  /** Which engine holds each store, for the figures. */
  readonly engines: { eventStore: 'sqlite' | 'postgres'; readModel: 'sqlite' | 'postgres' };
  /** Whether an earlier run left the data here (`BENCH_DATA_DIR`, `BENCH_PG_SCHEMA`). */
  readonly reused: boolean;
  /** A connection to the event store, to seed it. */
  openEventStore(): EventStore;
  /**
   * Once the projections have caught up: VACUUM (ANALYZE) the PostgreSQL read models, what
   * autovacuum does within a minute or so of a bulk load (it is off on some servers, this
   * machine's among them). Without statistics or a visibility map the planner guesses, and
   * every index-only scan reads the table too: not the state a deployed read model is in.
   */
  settle(): Promise<void>;
  /** The PostgreSQL backends' CPU over a phase (0 when nothing is on PostgreSQL). */
  backendCpu(): BackendCpu;
  /** Drops the schemas made for this run (a kept `BENCH_PG_SCHEMA` stays). */
  drop(): Promise<void>;
}

export interface BackendCpu {
  /** The CPU time, in ms, that the run's backends used since `backendCpu()`. */
  stop(): Promise<number>;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

/** A process's own CPU time (user + system) in ms, or undefined once it has exited. */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function withParams(url: string, params: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [k, v] of Object.entries(params)) parsed.searchParams.set(k, v);
  return parsed.toString();
}

export async function openBenchStores(dir: string, dirReused: boolean): Promise<BenchStores> {
  const readModelBase = process.env.BENCH_READ_MODEL_URL;
  const eventStoreBase = process.env.BENCH_EVENT_STORE_URL;
  const eventsPath = join(dir, 'events.db');
  if (!readModelBase && !eventStoreBase) {
    return {
      env: {},
      engines: { eventStore: 'sqlite', readModel: 'sqlite' },
      reused: dirReused,
      openEventStore: () => new SqliteEventStore({ path: eventsPath }),
      settle: () => Promise.resolve(),
      backendCpu: () => ({ stop: () => Promise.resolve(0) }),
      drop: () => Promise.resolve(),
    };
  }
  const schemas = await ScratchSchemas.connect((readModelBase ?? eventStoreBase)!);
  const admin = schemas.admin;
  const kept = process.env.BENCH_PG_SCHEMA;
  const base = kept ?? schemas.name('bench');
  // The backends of this run answer to this name in pg_stat_activity.
  const applicationName = `missive-${base}`;
  const readModelSchema = `${base}_read`;
  const eventSchema = `${base}_events`;
  const existing = await admin.query<{ nspname: string }>(
    'SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)',
    [[readModelSchema, eventSchema]],
  );
  const present = new Set(existing.rows.map((r) => r.nspname));
  // Reused only whole: a read model kept from a log that is not there any more is dropped.
  const reused =
    (eventStoreBase ? present.has(eventSchema) : dirReused) &&
    (!readModelBase || present.has(readModelSchema));
  const dropSchemas = () => schemas.drop(readModelSchema, eventSchema);
  if (!reused) await dropSchemas();
  const env: Record<string, string> = {};
  if (readModelBase) {
    // The read models' tables (and the key store beside them) go in a schema made here;
    // the event store makes its own.
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${readModelSchema}"`);
    env.READ_MODEL_URL = withParams(readModelBase, {
      schema: readModelSchema,
      application_name: applicationName,
    });
  }
  if (eventStoreBase) {
    env.EVENT_STORE_URL = withParams(eventStoreBase, {
      schema: eventSchema,
      application_name: applicationName,
    });
  }
  return {
    env,
    engines: {
      eventStore: eventStoreBase ? 'postgres' : 'sqlite',
      readModel: readModelBase ? 'postgres' : 'sqlite',
    },
    reused,
    openEventStore: () =>
      env.EVENT_STORE_URL
        ? createEventStore(env.EVENT_STORE_URL)
        : new SqliteEventStore({ path: eventsPath }),
    async settle() {
      if (!readModelBase) return;
      const { rows } = await admin.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE schemaname = $1',
        [readModelSchema],
      );
      for (const { tablename } of rows) {
        await admin.query(`VACUUM (ANALYZE) "${readModelSchema}"."${tablename}"`);
      }
    },
    backendCpu: () => trackBackends(admin, applicationName),
    async drop() {
      try {
        if (kept === undefined) await dropSchemas();
      } finally {
        await schemas.end();
      }
    },
  };
}

/**
 * Sums the CPU time of the backends serving `applicationName` from /proc (the server runs on
 * this machine): those alive at the start from their CPU time then, those that start later
 * from zero. It looks again every 250 ms, so a backend that ends during the phase (a pool
 * closing an idle connection) still counts up to its last look.
 */
function trackBackends(admin: Client, applicationName: string): BackendCpu {
  const baseline = new Map<number, number>();
  const last = new Map<number, number>();
  let first = true;
  const look = async () => {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms === undefined) continue;
      if (!baseline.has(pid)) baseline.set(pid, first ? ms : 0);
      last.set(pid, ms);
    }
    first = false;
  };
  const started = look();
  let looking = started;
  const timer = setInterval(() => {
    looking = looking.then(look);
  }, 250);
  return {
    async stop() {
      clearInterval(timer);
      await looking;
      await look();
      let total = 0;
      for (const [pid, ms] of last) total += ms - baseline.get(pid)!;
      return total;
    },
  };
}
