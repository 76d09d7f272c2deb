import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { BenchFailure, requireNoErrors, requireProjectionsCaughtUp, runBench } from './benchChecks';
import { startBenchServer, type BenchServer } from './benchServer';
import { openBenchStores, type BenchStores } from './benchStores';
import {
  benchToken as token,
  LONG_THREAD,
  LONG_THREAD_ID,
  seedConversations,
} from './conversationsSeed';
import { discard } from './discard';
import { keepAliveClient } from './keepAliveClient';
import { hasWrk, runWrk } from './wrkLoad';

/**
 * Issue #4's figures: GET /api/v1/conversations with 100,000 conversations over 1,000 users
 * (user 1001 holds 10,000) at 32 concurrent clients, and add_message latency on a
 * conversation with 5,000 messages. The data is appended straight to the event store (as a
 * migration would) and projected by the real projectors; the HTTP load comes from a separate
 * process, so the client does not share the server's event loop.
 *   env: BENCH_CONVERSATIONS (100000), BENCH_USERS (1000), BENCH_HEAVY (10000),
 *   BENCH_PROFILE=<dir> writes the server's CPU profile of each measured phase there
 *   (`<figure>.cpuprofile`, open in Chrome DevTools), leaving seeding and warm-up out (the
 *   API inside this process only: not with BENCH_API_WORKERS);
 *   BENCH_API_PROCESSES=N serves the list from N API processes on the same stores (the
 *   first runs the projectors; the others are plain replicas with their own NODE_ID);
 *   BENCH_API_WORKERS=N runs the API as operators start it, `node dist/main.js` with
 *   API_WORKERS=N (N > 1: a cluster primary running the projectors plus N HTTP workers), its
 *   request logs written to /dev/null; unset, the API runs inside this process (startApp);
 *   BENCH_API_MAIN=<path> runs that main.js instead (another build, on the same stores),
 *   BENCH_API_NODE_ARGS node's options for it (`--cpu-prof --cpu-prof-dir=<dir>`);
 *   BENCH_DATA_DIR=<dir> keeps the stores there and reuses them on the next run (same scale
 *   only; the add_message replies pile up, so the long thread grows by 300 a run);
 *   BENCH_READ_MODEL_URL / BENCH_EVENT_STORE_URL=postgres://… put the read models / the event
 *   store on PostgreSQL, each in a fresh schema dropped at the end (BENCH_PG_SCHEMA=<name>
 *   keeps and reuses named ones, see benchStores.ts);
 *   BENCH_WRK_ONLY=true measures only the list from wrk (after 15 s of it as warm-up),
 *   BENCH_WRK_ROUNDS=N times (default 1), 10 s each.
 * Each figure also reports the server's CPU time per request (every server process's user
 * plus system time over the phase, and on PostgreSQL the CPU time of the backends serving the
 * API, divided by its requests): steadier than requests per second when other jobs share the
 * machine. Any error response (warm-up included), or a projection left behind or with a
 * parked event after a phase, fails the run.
 */
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const HEAVY = Number(process.env.BENCH_HEAVY ?? 10_000);
const API_PROCESSES = Math.max(1, Number(process.env.BENCH_API_PROCESSES ?? 1));
const API_WORKERS = process.env.BENCH_API_WORKERS;
/**
 * List requests per serving process before the measured 5,000: enough for the JIT and
 * SQLite's page cache (one per process) to settle on 100,000 conversations (after 500 the run
 * still measured a partly cold cache: 470–610 req/s against 730–800 once warm).
 */
const WARM_UP = 3000;
const SERVING_PROCESSES = Math.max(API_PROCESSES, Number(API_WORKERS ?? 1));
const WRK_ONLY = process.env.BENCH_WRK_ONLY === 'true';
const WRK_ROUNDS = Math.max(1, Number(process.env.BENCH_WRK_ROUNDS ?? 1));
/** wrk's `request()` for the list load: the requests the Node client sends, in the same mix. */
function wrkListRequest(): string {
  return `local user = (i % 10 == 0) and 1001 or (1001 + (i % ${USERS}))
  return wrk.format('GET', '/api/v1/conversations?per_page=10&page=' .. (1 + (i % 5)), {
    ['Authorization'] = 'Bearer bench-token-' .. user })`;
}

interface LoadResult {
  requests: number;
  ms: number;
  latencies: number[];
  errors: number;
}

/** Client mode: run the HTTP load and send the latencies back to the parent. */
async function client(): Promise<void> {
  const { urls, requests, concurrency, mode, longThread } = JSON.parse(process.argv[3]!) as {
    urls: string[];
    requests: number;
    concurrency: number;
    mode: 'list' | 'add_message';
    longThread: string;
  };
  // Callers are spread over the API processes as a load balancer spreads connections.
  const senders = urls.map((url, k) =>
    keepAliveClient(url, Math.ceil((concurrency - k) / urls.length)),
  );
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      const send = senders[caller % senders.length]!;
      while (next < requests) {
        const i = next++;
        const t0 = performance.now();
        const status =
          mode === 'list'
            ? await send(`/api/v1/conversations?per_page=10&page=${1 + (i % 5)}`, {
                // Every tenth request is the heavy user's inbox.
                headers: {
                  authorization: `Bearer ${token(i % 10 === 0 ? 1001 : 1001 + (i % USERS))}`,
                },
              })
            : await send(`/api/v1/conversations/${longThread}/add_message`, {
                method: 'POST',
                headers: {
                  authorization: `Bearer ${token(1002 + (i % 2))}`,
                  'content-type': 'application/json',
                },
                body: JSON.stringify({ body: `bench reply ${i}` }),
              });
        if (status >= 300) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  process.send!({
    requests: latencies.length,
    ms: performance.now() - started,
    latencies,
    errors,
  } satisfies LoadResult);
}

/**
 * API-process mode (BENCH_API_PROCESSES > 1): one more API instance on the same stores, as
 * `docker compose --scale api=N` runs them, without projectors (the first process runs them)
 * and with its own NODE_ID. Sends its URL, then serves until the parent disconnects.
 */
async function apiProcess(): Promise<void> {
  const { env, nodeId } = JSON.parse(process.argv[3]!) as {
    env: Record<string, string>;
    nodeId: number;
  };
  const app = await startApp(
    loadConfig(AppConfig, {
      ...env,
      PORT: '0',
      NODE_ID: String(nodeId),
      RUN_PROJECTORS: 'false',
    }),
    { logger: false, logStream: discard() },
  );
  process.send!({ url: app.url });
  process.once('disconnect', () => {
    void app.close().then(() => process.exit(0));
  });
}

function startApiProcess(
  env: Record<string, string>,
  nodeId: number,
): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--api', JSON.stringify({ env, nodeId })]);
    child.once('message', (m) => resolve({ url: (m as { url: string }).url, child }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
  });
}

function runClient(args: object): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--client', JSON.stringify(args)]);
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`load client exited with ${code} before reporting`)),
    );
  });
}

/** Runs `phase` under the V8 profiler when BENCH_PROFILE names a directory. */
async function profiled<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return phase();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await phase();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

/** CPU time over a phase: the API's processes and the PostgreSQL backends serving them. */
interface ServerCpu {
  apiMs: number;
  backendMs: number;
}

/** Runs a load phase and measures the server's CPU time over it. */
async function measured<R>(
  server: BenchServer,
  stores: BenchStores,
  phase: () => Promise<R>,
): Promise<R & { cpu: ServerCpu }> {
  const backends = stores.backendCpu();
  const before = server.cpuMs();
  const result = await phase();
  const apiMs = server.cpuMs() - before;
  return { ...result, cpu: { apiMs, backendMs: await backends.stop() } };
}

interface Figure {
  requests: number;
  ms: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  cpu: ServerCpu;
}

function printFigure(name: string, f: Figure, extra: Record<string, unknown>): void {
  requireNoErrors(name, f.errors, f.requests);
  const perRequest = (ms: number) => Math.round((ms * 1000) / f.requests);
  console.log(
    JSON.stringify({
      bench: name,
      ...extra,
      requests: f.requests,
      errors: f.errors,
      requestsPerSec: Math.round((f.requests / f.ms) * 1000),
      p50Ms: +f.p50Ms.toFixed(2),
      p99Ms: +f.p99Ms.toFixed(2),
      serverCpuUsPerRequest: perRequest(f.cpu.apiMs + f.cpu.backendMs),
      ...(f.cpu.backendMs > 0 ? { postgresCpuUsPerRequest: perRequest(f.cpu.backendMs) } : {}),
      loadAverage: +loadavg()[0]!.toFixed(1),
    }),
  );
}

function report(
  name: string,
  r: LoadResult & { cpu: ServerCpu },
  extra: Record<string, unknown>,
): void {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  printFigure(name, { ...r, p50Ms: pct(50), p99Ms: pct(99) }, extra);
}

async function main(): Promise<void> {
  const kept = process.env.BENCH_DATA_DIR;
  if (kept) mkdirSync(kept, { recursive: true });
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'missive-conv-bench-'));
  const stores = await openBenchStores(
    dir,
    kept !== undefined && existsSync(join(dir, 'events.db')),
  );
  try {
    const store = stores.openEventStore();
    const t0 = performance.now();
    const events = stores.reused
      ? undefined
      : await seedConversations(store, { CONVERSATIONS, USERS, HEAVY });
    await store.close();
    const seeded = performance.now();
    const env = {
      DATA_DIR: dir,
      ...stores.env,
      // The default poll interval: read-your-writes wakes the projectors and hears of their
      // commits, so it no longer waits out a poll (5 ms here cost the list ~7% of its CPU).
    };
    const app = await startBenchServer({ ...env, PORT: '0' }, API_WORKERS);
    const extra: { url: string; child: ChildProcess }[] = [];
    const shape = {
      eventStore: stores.engines.eventStore,
      readModel: stores.engines.readModel,
      ...(API_WORKERS !== undefined ? { apiWorkers: Number(API_WORKERS) } : {}),
    };
    try {
      // Wait until every projector has caught up with the seeded log.
      await requireProjectionsCaughtUp(app.url, 30 * 60_000);
      const projected = performance.now();
      await stores.settle();
      console.log(
        JSON.stringify({
          bench: 'conversations.seed',
          ...shape,
          conversations: CONVERSATIONS,
          users: USERS,
          ...(events === undefined ? { reused: true } : { events }),
          appendSeconds: +((seeded - t0) / 1000).toFixed(1),
          projectSeconds: +((projected - seeded) / 1000).toFixed(1),
        }),
      );
      for (let k = 1; k < API_PROCESSES; k++) extra.push(await startApiProcess(env, k));
      const urls = [app.url, ...extra.map((e) => e.url)];
      const longThread = LONG_THREAD_ID;
      if (!WRK_ONLY) {
        const warmUp = await runClient({
          urls,
          requests: WARM_UP * SERVING_PROCESSES,
          concurrency: 32,
          mode: 'list',
          longThread,
        });
        requireNoErrors('list warm-up', warmUp.errors, warmUp.requests);
        const list = await measured(app, stores, () =>
          profiled('list', () =>
            runClient({ urls, requests: 5000, concurrency: 32, mode: 'list', longThread }),
          ),
        );
        await requireProjectionsCaughtUp(app.url);
        report('api.conversations.list.large', list, {
          ...shape,
          concurrency: 32,
          conversations: CONVERSATIONS,
          ...(API_PROCESSES > 1 ? { apiProcesses: API_PROCESSES } : {}),
        });
      }
      if (hasWrk()) {
        // The same list load from wrk, whose CPU per request is a fraction of the Node
        // client's: on two cores, what the server reaches when the client takes less of them.
        const load = (seconds: number) =>
          runWrk({ url: urls[0]!, seconds, connections: 32, requestLua: wrkListRequest() });
        const warm = await load(WRK_ONLY ? 15 : 3);
        requireNoErrors('wrk list warm-up', warm.errors, warm.requests);
        for (let round = 0; round < WRK_ROUNDS; round++) {
          const r = await measured(app, stores, () => load(10));
          await requireProjectionsCaughtUp(app.url);
          printFigure('api.conversations.list.large.wrk', r, {
            ...shape,
            concurrency: 32,
            conversations: CONVERSATIONS,
          });
        }
      } else if (WRK_ONLY) {
        throw new BenchFailure('BENCH_WRK_ONLY: wrk is not installed (Debian package wrk)');
      } else {
        console.error('list load from wrk skipped: wrk is not installed (Debian package wrk)');
      }
      if (WRK_ONLY) return;
      const addMessage = await measured(app, stores, () =>
        profiled('add_message', () =>
          runClient({
            urls: [app.url],
            requests: 300,
            concurrency: 1,
            mode: 'add_message',
            longThread,
          }),
        ),
      );
      await requireProjectionsCaughtUp(app.url);
      report('api.conversations.add_message.long_thread', addMessage, {
        ...shape,
        concurrency: 1,
        threadMessages: LONG_THREAD,
      });
    } finally {
      for (const { child } of extra) {
        child.removeAllListeners('exit');
        child.disconnect();
      }
      await app.close();
    }
  } finally {
    await stores.drop();
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client' || process.argv[2] === '--api') {
  (process.argv[2] === '--client' ? client() : apiProcess()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  runBench(main);
}
