import { SqliteEventStore, type EventData } from '@missive/event-store';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { discard } from './discard';
import { keepAliveClient } from './keepAliveClient';
import { hasWrk, runWrk } from './wrkLoad';

/**
 * Issue #4's figures on the embedded default: GET /api/v1/conversations with 100,000
 * conversations over 1,000 users (user 1001 holds 10,000) at 32 concurrent clients, and
 * add_message latency on a conversation with 5,000 messages. The data is appended straight to
 * the event store (as a migration would) and projected by the real projectors; the HTTP load
 * comes from a separate process, so the client does not share the server's event loop.
 *   env: BENCH_CONVERSATIONS (100000), BENCH_USERS (1000), BENCH_HEAVY (10000),
 *   BENCH_PROFILE=<dir> writes the server's CPU profile of each measured phase there
 *   (`<figure>.cpuprofile`, open in Chrome DevTools), leaving seeding and warm-up out (the
 *   API inside this process only: not with BENCH_API_WORKERS);
 *   BENCH_API_PROCESSES=N serves the list from N API processes on the same stores (the
 *   first runs the projectors; the others are plain replicas with their own NODE_ID);
 *   BENCH_API_WORKERS=N runs the API as operators start it, `node dist/main.js` with
 *   API_WORKERS=N (N > 1: a cluster primary running the projectors plus N HTTP workers), its
 *   request logs written to /dev/null; unset, the API runs inside this process (startApp);
 *   BENCH_DATA_DIR=<dir> keeps the stores there and reuses them on the next run (same scale
 *   only; the add_message replies pile up, so the long thread grows by 300 a run).
 * Each figure also reports the server's CPU time per request (every server process's user
 * plus system time over the phase, divided by its requests): steadier than requests per
 * second when other jobs share the machine.
 */
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const USERS = Number(process.env.BENCH_USERS ?? 1000);
const HEAVY = Number(process.env.BENCH_HEAVY ?? 10_000);
const API_PROCESSES = Math.max(1, Number(process.env.BENCH_API_PROCESSES ?? 1));
const API_WORKERS = process.env.BENCH_API_WORKERS;
const LONG_THREAD = 5000;
/**
 * List requests per serving process before the measured 5,000: enough for the JIT and
 * SQLite's page cache (one per process) to settle on 100,000 conversations (after 500 the run
 * still measured a partly cold cache: 470–610 req/s against 730–800 once warm).
 */
const WARM_UP = 3000;
const SERVING_PROCESSES = Math.max(API_PROCESSES, Number(API_WORKERS ?? 1));
const LONG_THREAD_ID = '999999';
const token = (userId: number) => `bench-token-${userId}`;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();

function event(type: string, data: unknown): EventData {
  return { id: randomUUID(), type, data };
}

async function seed(store: SqliteEventStore): Promise<{ longThread: string }> {
  const pending: Promise<unknown>[] = [];
  const flush = async () => {
    await Promise.all(pending.splice(0));
  };
  for (let u = 1; u <= USERS; u++) {
    const id = String(u + 1000);
    pending.push(
      store.append(`user-${id}`, [
        event('UserRegistered', {
          userId: id,
          name: `User ${u}`,
          shortName: `User ${u}`,
          sortableName: `${u}, User`,
          loginId: `user${u}`,
          siteAdmin: false,
          createdAt: at(0),
        }),
        event('AccessTokenIssued', {
          userId: id,
          tokenId: id,
          tokenHash: createHash('sha256')
            .update(token(u + 1000))
            .digest('hex'),
          hint: 'xxxx',
          purpose: null,
          createdAt: at(0),
          expiresAt: null,
        }),
      ]),
    );
    if (pending.length >= 256) await flush();
  }
  await flush();
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversationId = String(1_000_000 + c);
    // The first HEAVY conversations all include user 1001; the rest pair users at random.
    const a = c < HEAVY ? 1001 : 1001 + ((c * 7919) % USERS);
    let b = 1001 + ((c * 104729 + 13) % USERS);
    if (b === a) b = a === 1001 + USERS - 1 ? 1001 : a + 1;
    // Who starts it alternates by blocks of USERS conversations, in each of which a and b take
    // every user once. Alternating on c itself (or on any c mod 2^k) followed a's and b's own
    // residues, so half the users only ever sent and, seeing no conversation before a reply
    // (Canvas), had empty inboxes: half the list requests read nothing. Now every user's inbox
    // holds about 95 conversations, the heavy user's 5,090.
    const [author, recipient] = Math.floor(c / USERS) % 2 === 0 ? [b, a] : [a, b];
    pending.push(
      store.append(`conversation-${conversationId}`, [
        event('ConversationStarted', {
          conversationId,
          authorId: String(author),
          participantIds: [String(author), String(recipient)],
          subject: `Subject ${c}`,
          privateHash: null,
          contextCode: null,
          createdAt: at(c),
        }),
        event('MessageAdded', {
          conversationId,
          messageId: String(10_000_000 + c),
          authorId: String(author),
          body: `Message number ${c} with a little text so that previews are realistic.`,
          createdAt: at(c),
          recipientIds: [String(author), String(recipient)],
          generated: false,
          attachmentIds: [],
          mediaComment: null,
          forwardedMessageIds: [],
          updateForSender: false,
        }),
      ]),
    );
    if (pending.length >= 256) await flush();
  }
  await flush();
  const longThread = LONG_THREAD_ID;
  const messages: EventData[] = [
    event('ConversationStarted', {
      conversationId: longThread,
      authorId: '1002',
      participantIds: ['1002', '1003'],
      subject: 'long',
      privateHash: null,
      contextCode: null,
      createdAt: at(0),
    }),
  ];
  for (let m = 0; m < LONG_THREAD; m++) {
    const author = m % 2 === 0 ? '1002' : '1003';
    messages.push(
      event('MessageAdded', {
        conversationId: longThread,
        messageId: String(20_000_000 + m),
        authorId: author,
        body: `long thread message ${m}`,
        createdAt: at(m),
        recipientIds: ['1002', '1003'],
        generated: false,
        attachmentIds: [],
        mediaComment: null,
        forwardedMessageIds: [],
        updateForSender: m > 0,
      }),
    );
  }
  for (let i = 0; i < messages.length; i += 500) {
    await store.append(`conversation-${longThread}`, messages.slice(i, i + 500));
  }
  return { longThread };
}

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
    requests,
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
  const { dir, nodeId } = JSON.parse(process.argv[3]!) as { dir: string; nodeId: number };
  const app = await startApp(
    loadConfig(AppConfig, {
      DATA_DIR: dir,
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
  dir: string,
  nodeId: number,
): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--api', JSON.stringify({ dir, nodeId })]);
    child.once('message', (m) => resolve({ url: (m as { url: string }).url, child }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`API process exited with ${code}`)));
  });
}

interface Server {
  readonly url: string;
  /** CPU time (user + system) the server's processes have used so far, in ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux

/** A process's CPU time and its descendants', from /proc (Linux). */
function processTreeCpuMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // exited meanwhile
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {
    // no children file: no children to add
  }
  for (const child of children.split(' ').filter(Boolean)) ms += processTreeCpuMs(Number(child));
  return ms;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<Server> {
  if (API_WORKERS === undefined) {
    const app = await startApp(loadConfig(AppConfig, env), {
      logger: false,
      logStream: discard(),
    });
    return {
      url: app.url,
      cpuMs: () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      },
      close: () => app.close(),
    };
  }
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', 'main.js')], {
    env: { ...process.env, ...env, PORT: String(port), API_WORKERS, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then(
      (res) => res.arrayBuffer().then(() => res.ok),
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    cpuMs: () => processTreeCpuMs(child.pid!),
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
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

/** Runs a load phase and measures the server's CPU time over it. */
async function measured(
  server: Server,
  phase: () => Promise<LoadResult>,
): Promise<LoadResult & { serverCpuMs: number }> {
  const before = server.cpuMs();
  const result = await phase();
  return { ...result, serverCpuMs: server.cpuMs() - before };
}

interface Figure {
  requests: number;
  ms: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMs: number;
}

function printFigure(name: string, f: Figure, extra: Record<string, unknown>): void {
  console.log(
    JSON.stringify({
      bench: name,
      ...extra,
      requests: f.requests,
      errors: f.errors,
      requestsPerSec: Math.round((f.requests / f.ms) * 1000),
      p50Ms: +f.p50Ms.toFixed(2),
      p99Ms: +f.p99Ms.toFixed(2),
      serverCpuUsPerRequest: Math.round((f.serverCpuMs * 1000) / f.requests),
    }),
  );
}

function report(
  name: string,
  r: LoadResult & { serverCpuMs: number },
  extra: Record<string, unknown>,
): void {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  printFigure(name, { ...r, p50Ms: pct(50), p99Ms: pct(99) }, extra);
}

async function main(): Promise<void> {
  const kept = process.env.BENCH_DATA_DIR;
  const reused = kept !== undefined && existsSync(join(kept, 'events.db'));
  if (kept) mkdirSync(kept, { recursive: true });
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'missive-conv-bench-'));
  try {
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    const t0 = performance.now();
    const { longThread } = reused ? { longThread: LONG_THREAD_ID } : await seed(store);
    const head = await store.headPosition();
    await store.close();
    const seeded = performance.now();
    const app = await startServer({
      DATA_DIR: dir,
      PORT: '0',
      // The default poll interval: read-your-writes wakes the projectors and hears of their
      // commits, so it no longer waits out a poll (5 ms here cost the list ~7% of its CPU).
    });
    const extra: { url: string; child: ChildProcess }[] = [];
    try {
      // Wait until every projector has caught up with the seeded log.
      for (;;) {
        const res = await fetch(`${app.url}/api/v1/conversations/${longThread}`, {
          headers: { authorization: `Bearer ${token(1002)}` },
        });
        await res.arrayBuffer();
        if (res.status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const projected = performance.now();
      console.log(
        JSON.stringify({
          bench: 'conversations.seed',
          conversations: CONVERSATIONS,
          users: USERS,
          // The embedded store's commit is its gapless global sequence, so it counts events.
          events: head === 'start' ? 0 : Number(head.commit),
          appendSeconds: +((seeded - t0) / 1000).toFixed(1),
          projectSeconds: +((projected - seeded) / 1000).toFixed(1),
        }),
      );
      for (let k = 1; k < API_PROCESSES; k++) extra.push(await startApiProcess(dir, k));
      const urls = [app.url, ...extra.map((e) => e.url)];
      await runClient({
        urls,
        requests: WARM_UP * SERVING_PROCESSES,
        concurrency: 32,
        mode: 'list',
        longThread,
      });
      report(
        'api.conversations.list.large',
        await measured(app, () =>
          profiled('list', () =>
            runClient({ urls, requests: 5000, concurrency: 32, mode: 'list', longThread }),
          ),
        ),
        {
          concurrency: 32,
          conversations: CONVERSATIONS,
          ...(API_PROCESSES > 1 ? { apiProcesses: API_PROCESSES } : {}),
          ...(API_WORKERS !== undefined ? { apiWorkers: Number(API_WORKERS) } : {}),
        },
      );
      if (hasWrk()) {
        // The same list load from wrk, whose CPU per request is a fraction of the Node
        // client's: on two cores, what the server reaches when the client takes less of them.
        const load = (seconds: number) =>
          runWrk({ url: urls[0]!, seconds, connections: 32, requestLua: wrkListRequest() });
        await load(3);
        const before = app.cpuMs();
        const r = await load(10);
        printFigure(
          'api.conversations.list.large.wrk',
          { ...r, serverCpuMs: app.cpuMs() - before },
          {
            concurrency: 32,
            conversations: CONVERSATIONS,
            ...(API_WORKERS !== undefined ? { apiWorkers: Number(API_WORKERS) } : {}),
          },
        );
      } else {
        console.error('list load from wrk skipped: wrk is not installed (Debian package wrk)');
      }
      report(
        'api.conversations.add_message.long_thread',
        await measured(app, () =>
          profiled('add_message', () =>
            runClient({
              urls: [app.url],
              requests: 300,
              concurrency: 1,
              mode: 'add_message',
              longThread,
            }),
          ),
        ),
        {
          concurrency: 1,
          threadMessages: LONG_THREAD,
          ...(API_WORKERS !== undefined ? { apiWorkers: Number(API_WORKERS) } : {}),
        },
      );
    } finally {
      for (const { child } of extra) {
        child.removeAllListeners('exit');
        child.disconnect();
      }
      await app.close();
    }
  } finally {
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client' || process.argv[2] === '--api') {
  (process.argv[2] === '--client' ? client() : apiProcess()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
