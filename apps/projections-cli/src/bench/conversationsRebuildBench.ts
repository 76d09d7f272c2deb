import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { type EventStore, type Position, SqliteEventStore } from '@missive/event-store';
import { protectMissiveEventStore } from '@missive/personal-data';
import {
  createDatabase,
  lagBetween,
  REBUILD_BATCH_SIZE,
  rebuildProjection,
  withScratchSchema,
} from '@missive/projections';
import { conversationsProjection } from '@missive/read-models';
import { type Kysely, sql } from 'kysely';
import { fillInboxEvents } from './fillInboxEvents';

// Blue/green rebuild of the real conversations read model over an inbox-shaped SQLite log
// (issue #7 item 6): what `missive-projections rebuild conversations` runs, into a SQLite read
// model and into PostgreSQL. Also times, alone, the paged read of the log as the runner reads
// it, so the rest can be told apart. One JSON line per figure on stdout.
//   npm run bench -w @missive/projections-cli
//   env: BENCH_EVENTS (1000000), BENCH_BATCH_SIZE (the rebuild's default, 20000),
//        BENCH_ACTIVE_CONVERSATIONS (1000), BENCH_TARGETS (sqlite,postgres),
//        BENCH_LOG (reuse this event-store file if it exists), PG_BENCH_URL / PG_TEST_URL,
//        BENCH_SEALED: plain (default), sealed, or both. `sealed` writes and reads the log
//        through the personal-data protection the API and the CLI use (message bodies and
//        subjects sealed under their authors' keys, a key store beside the log); `both` runs
//        plain then sealed, each on its own log of the same events, for what sealing costs.

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? REBUILD_BATCH_SIZE);
const ACTIVE = Number(process.env.BENCH_ACTIVE_CONVERSATIONS ?? 1000);
const TARGETS = (process.env.BENCH_TARGETS ?? 'sqlite,postgres').split(',');
const SEALING =
  (process.env.BENCH_SEALED ?? 'plain') === 'both'
    ? [false, true]
    : [(process.env.BENCH_SEALED ?? 'plain') === 'sealed'];
const PG_URL =
  process.env.PG_BENCH_URL ?? process.env.PG_TEST_URL ?? 'postgres://127.0.0.1:5432/test';

function report(figure: Record<string, unknown>): void {
  console.log(
    JSON.stringify({ ...figure, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) }),
  );
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

async function timeRead(store: EventStore, sealed: boolean): Promise<number> {
  const { filter } = conversationsProjection;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let count = 0;
  let from: Position | 'start' = 'start';
  for (;;) {
    let last: Position | undefined;
    let n = 0;
    for await (const event of store.readAll({ fromPosition: from, filter, maxCount: BATCH_SIZE })) {
      last = event.position;
      n += 1;
    }
    count += n;
    if (!last || n < BATCH_SIZE) break;
    from = last;
  }
  const took = seconds(start);
  report({
    bench: 'rebuild-profile',
    part: 'event-store paged read',
    sealed,
    events: count,
    seconds: round3(took),
    cpuSeconds: round3(cpuSecondsSince(cpu)),
    eventsPerSecond: Math.round(count / took),
  });
  return count;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function timeRebuild(
  store: EventStore,
  sealed: boolean,
  readModel: 'sqlite' | 'postgres',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  expected: number,
): Promise<void> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await rebuildProjection({
    store,
    db,
    projection: conversationsProjection,
    batchSize: BATCH_SIZE,
  });
  const took = seconds(start);
  const cpuSeconds = cpuSecondsSince(cpu);
  // A figure counts only when every event of the log was applied and none parked.
  const lag = lagBetween(await store.headPosition(), result.checkpoint);
  if (result.events !== expected || result.parked > 0 || lag > 0) {
    throw new Error(
      `BENCH FAILED: conversations-rebuild ${readModel}: applied ${result.events} of ` +
        `${expected} events, ${result.parked} parked, lag ${lag}`,
    );
  }
  const count = async (table: string) =>
    Number(
      (await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db))
        .rows[0]!.n,
    );
  report({
    bench: 'conversations-rebuild',
    readModel,
    sealed,
    events: result.events,
    parked: result.parked,
    batchSize: BATCH_SIZE,
    seconds: round3(took),
    buildSeconds: round3(result.buildMs / 1000),
    switchMs: result.switchMs,
    eventsPerSecond: Math.round(result.events / took),
    // This process's CPU only: on PostgreSQL the server's work is not in it.
    cpuMicrosecondsPerEvent: round3((cpuSeconds * 1e6) / result.events),
    rows: {
      conversations: await count('conversations'),
      messages: await count('conversation_messages'),
      copies: await count('message_copies'),
      participants: await count('conversation_participants'),
    },
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'conversations-rebuild-bench-'));
  try {
    for (const sealed of SEALING) await rebuildOnLog(dir, sealed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Fills (or reuses) one log, then times its read and each target's rebuild, each through a
 * store opened afresh, as a rebuild process starts: nothing read or opened before is cached.
 */
async function rebuildOnLog(dir: string, sealed: boolean): Promise<void> {
  const name = sealed ? 'events-sealed' : 'events';
  const logPath = process.env.BENCH_LOG
    ? `${process.env.BENCH_LOG}${sealed ? '.sealed' : ''}`
    : join(dir, `${name}.db`);
  const open = (): EventStore => {
    const inner = new SqliteEventStore({ path: logPath });
    return sealed ? protectMissiveEventStore(inner, `sqlite:${logPath}.keys`) : inner;
  };
  const withStore = async <T>(use: (store: EventStore) => Promise<T>): Promise<T> => {
    const store = open();
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };
  await withStore(async (store) => {
    if ((await store.headPosition()) !== 'start') return;
    const fillStart = process.hrtime.bigint();
    const counts = await fillInboxEvents(store, {
      events: EVENTS,
      activeConversations: ACTIVE,
      users: 5000,
      seed: 7,
    });
    report({
      bench: 'setup',
      sealed,
      events: EVENTS,
      ...counts,
      fillSeconds: round3(seconds(fillStart)),
    });
  });
  const events = await withStore((store) => timeRead(store, sealed));

  if (TARGETS.includes('sqlite')) {
    const sqliteDb = createDatabase(`sqlite:${join(dir, `read-model-${name}.db`)}`);
    try {
      await withStore((store) => timeRebuild(store, sealed, 'sqlite', sqliteDb, events));
    } finally {
      await sqliteDb.destroy();
    }
  }

  if (TARGETS.includes('postgres')) {
    await withScratchSchema(PG_URL, 'conversations_bench', (pgDb) =>
      withStore((store) => timeRebuild(store, sealed, 'postgres', pgDb, events)),
    );
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof Error && error.message.startsWith('BENCH FAILED') ? error.message : error,
  );
  process.exitCode = 1;
});
