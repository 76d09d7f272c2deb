import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventStore } from '@missive/event-store';
import { startNotifier } from '@missive/notifications';
import { createDatabase } from '@missive/projections';
import { type Kysely, sql } from 'kysely';
import { CommsSandboxTransport } from '@missive/notifications';
import { startApp, type RunningApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { EVENT_STORE } from '../infrastructure/tokens';
import { BenchFailure, requireNoErrors, requireProjectionsCaughtUp, runBench } from './benchChecks';
import { keepAliveClient } from './keepAliveClient';

/**
 * Issue #6's figures on the embedded default (one process: API, projectors and, for delivery,
 * the notifier with the Comms sandbox transport), each phase on a fresh data directory:
 *   - accept: one POST /v1/Messages to 10,000 recipients, time to its 202 (validation, the
 *     operation and 10,000 outbound streams appended, read-your-writes on the Comms read model);
 *   - deliver: the same with the notifier running, and the time until the operation's stats
 *     show every message delivered through the sandbox;
 *   - list: 100,000 messages (ten sends of 10,000 with different tags), then GET /v1/Messages
 *     with tag filters from a separate load process, per query shape.
 *   env: BENCH_COMMS_RECIPIENTS (10000), BENCH_COMMS_SENDS (10), BENCH_COMMS_REQUESTS (1000),
 *   BENCH_COMMS_CONCURRENCY (16), BENCH_COMMS_DELIVERY_CONCURRENCY (the notifier's default),
 *   BENCH_COMMS_PHASE (accept | deliver | list; all by default), BENCH_COMMS_SHAPES (list
 *   query shapes to run, comma-separated; all by default).
 * Any error response, a send whose operation holds fewer messages than recipients, an
 * undelivered message, or a projection left behind or with a parked event fails the run.
 */
const RECIPIENTS = Number(process.env.BENCH_COMMS_RECIPIENTS ?? 10_000);
const SENDS = Number(process.env.BENCH_COMMS_SENDS ?? 10);
const REQUESTS = Number(process.env.BENCH_COMMS_REQUESTS ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_COMMS_CONCURRENCY ?? 16);
const ACCOUNT = 'ACbench00000000000000000000000000';
const TOKEN = 'bench-comms-auth-token-0123456789';
const AUTHORIZATION = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;

/** Query shapes of the list figure; `c1` tags 2 of the 10 sends, `c1`+`APAC` one. */
const LIST_QUERIES: Record<string, string> = {
  no_filter: 'pageSize=50',
  one_tag_20pct: 'pageSize=50&tags=campaign:c1;',
  two_tags_10pct: 'pageSize=50&tags=campaign:c1;region:APAC;',
  two_tags_no_match: 'pageSize=50&tags=campaign:c1;batch:b2;',
  rare_tag_10pct: 'pageSize=50&tags=batch:b3;',
  tag_and_status: 'pageSize=50&status=QUEUED&tags=campaign:c1;',
  page_1000_of_tag: 'pageSize=1000&tags=campaign:c1;',
};

async function withApp<T>(run: (app: RunningApp, config: AppConfig) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-comms-bench-'));
  const config = loadConfig(AppConfig, {
    DATA_DIR: dir,
    PORT: '0',
    PROJECTOR_POLL_INTERVAL_MS: '5',
    LOG_LEVEL: 'silent',
    // Delivery is measured with a notifier this benchmark starts (the deliver phase) and
    // kept out of the others.
    RUN_NOTIFIER: 'false',
    READ_YOUR_WRITES_TIMEOUT_MS: '60000',
    COMMS_ACCOUNT_ID: ACCOUNT,
    COMMS_AUTH_TOKEN: TOKEN,
    COMMS_RATE_LIMIT_PER_SEC: '1000000',
    COMMS_RATE_LIMIT_BURST: '1000000',
  });
  const app = await startApp(config, { logger: false });
  try {
    return await run(app, config);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function comms(app: RunningApp, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new BenchFailure(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function sendBody(tags: Record<string, string>) {
  return {
    to: Array.from({ length: RECIPIENTS }, (_, i) => ({
      address: `+1415${String(i).padStart(7, '0')}`,
      channel: i % 4 === 0 ? 'WHATSAPP' : 'PHONE',
    })),
    content: { text: 'Your parcel is on its way' },
    tags,
  };
}

interface OperationStats {
  total: number;
  delivered: number;
  undelivered: number;
  attempts: number;
}

async function statsOf(app: RunningApp, operationId: string): Promise<OperationStats> {
  const operation = (await comms(app, `/v1/Messages/Operations/${operationId}`)) as {
    stats: OperationStats;
  };
  return operation.stats;
}

/**
 * Times one send to its 202, then checks that the operation holds a message per recipient:
 * the figure counts the messages the server made, not the recipients it was asked for.
 */
async function timedSend(app: RunningApp, tags: Record<string, string>) {
  const body = sendBody(tags);
  const t0 = performance.now();
  const { operationId } = (await comms(app, '/v1/Messages', body)) as { operationId: string };
  const ms = performance.now() - t0;
  const { total } = await statsOf(app, operationId);
  if (total !== RECIPIENTS) {
    throw new BenchFailure(`send ${operationId}: ${total} messages for ${RECIPIENTS} recipients`);
  }
  return { operationId, ms, messages: total };
}

/** Every projection and process manager on the read-model database, the notifier's included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function requireNothingParked(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from projection_parked`.execute(
    db,
  );
  const parked = Number(rows[0]?.n ?? 0);
  if (parked > 0) throw new BenchFailure(`${parked} parked events on the read-model database`);
}

/** The notifier with the sandbox for PHONE and WHATSAPP, on the API's store and database. */
async function startSandboxNotifier(app: RunningApp, readModelUrl: string) {
  const sandbox = new CommsSandboxTransport();
  // A connection of its own, as the API gives its in-process notifier.
  const db = createDatabase(readModelUrl);
  const notifier = await startNotifier({
    store: app.app.get<EventStore>(EVENT_STORE),
    db,
    // Only for Canvas channel confirmations, which this benchmark never sends.
    confirmationSecret: 'bench-confirmation-secret-0123456789abcdef',
    dataDir: tmpdir(),
    transports: { phone: sandbox, whatsapp: sandbox },
    pollIntervalMs: 5,
    deliveryPollIntervalMs: 50,
    ...(process.env.BENCH_COMMS_DELIVERY_CONCURRENCY
      ? { deliveryConcurrency: Number(process.env.BENCH_COMMS_DELIVERY_CONCURRENCY) }
      : {}),
  });
  return {
    db,
    stop: async () => {
      await notifier.stop();
      await db.destroy();
    },
  };
}

async function accept(): Promise<void> {
  await withApp(async (app) => {
    for (let run = 1; run <= 2; run++) {
      const { ms, messages } = await timedSend(app, { campaign: `accept${run}` });
      await requireProjectionsCaughtUp(app.url);
      console.log(
        JSON.stringify({
          bench: 'comms.send.accept',
          run,
          recipients: messages,
          errors: 0,
          ms: Math.round(ms),
          recipientsPerSec: Math.round((messages / ms) * 1000),
        }),
      );
    }
  });
}

async function deliver(): Promise<void> {
  await withApp(async (app, config) => {
    const notifier = await startSandboxNotifier(app, config.readModelUrl);
    try {
      const t0 = performance.now();
      const { operationId, ms, messages } = await timedSend(app, { campaign: 'deliver' });
      let stats: OperationStats;
      for (;;) {
        stats = await statsOf(app, operationId);
        if (stats.delivered + stats.undelivered >= messages) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const allMs = performance.now() - t0;
      requireNoErrors('comms.send.deliver (undelivered messages)', stats.undelivered, messages);
      await requireProjectionsCaughtUp(app.url);
      await requireNothingParked(notifier.db);
      console.log(
        JSON.stringify({
          bench: 'comms.send.deliver',
          recipients: messages,
          errors: 0,
          acceptMs: Math.round(ms),
          allDeliveredMs: Math.round(allMs),
          deliveredPerSec: Math.round((stats.delivered / allMs) * 1000),
          attempts: stats.attempts,
        }),
      );
    } finally {
      await notifier.stop();
    }
  });
}

interface LoadResult {
  ms: number;
  latencies: number[];
  errors: number;
}

/** Client mode: one query shape, `requests` times from `concurrency` callers; latencies back. */
async function client(): Promise<void> {
  const { url, path, requests, concurrency } = JSON.parse(process.argv[3]!) as {
    url: string;
    path: string;
    requests: number;
    concurrency: number;
  };
  const send = keepAliveClient(url, concurrency);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t0 = performance.now();
        const status = await send(path, { headers: { authorization: AUTHORIZATION } });
        if (status !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  process.send!({ ms: performance.now() - started, latencies, errors } satisfies LoadResult);
}

function runClient(args: {
  url: string;
  path: string;
  requests: number;
  concurrency: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--client', JSON.stringify(args)]);
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load client exited with ${code}`)));
  });
}

async function list(): Promise<void> {
  await withApp(async (app) => {
    const t0 = performance.now();
    for (let i = 0; i < SENDS; i++) {
      const tags: Record<string, string> = {
        campaign: `c${i % 5}`,
        region: i % 2 ? 'APAC' : 'EMEA',
        batch: `b${i}`,
      };
      await timedSend(app, tags);
    }
    await requireProjectionsCaughtUp(app.url);
    console.log(
      JSON.stringify({
        bench: 'comms.list.seed',
        messages: SENDS * RECIPIENTS,
        seconds: +((performance.now() - t0) / 1000).toFixed(1),
      }),
    );
    const only = process.env.BENCH_COMMS_SHAPES?.split(',');
    for (const [shape, query] of Object.entries(LIST_QUERIES)) {
      if (only && !only.includes(shape)) continue;
      const path = `/v1/Messages?${query}`;
      const first = (await comms(app, path)) as { messages: unknown[] };
      const warm = await runClient({
        url: app.url,
        path,
        requests: Math.ceil(REQUESTS / 5),
        concurrency: 4,
      });
      requireNoErrors(`comms.list ${shape} warm-up`, warm.errors, warm.latencies.length);
      // Alone (latency of one request) and under load (CONCURRENCY clients at once).
      for (const concurrency of [1, CONCURRENCY]) {
        const requests = concurrency === 1 ? Math.ceil(REQUESTS / 5) : REQUESTS;
        const r = await runClient({ url: app.url, path, requests, concurrency });
        requireNoErrors(`comms.list ${shape}`, r.errors, r.latencies.length);
        const sorted = [...r.latencies].sort((a, b) => a - b);
        const pct = (p: number) =>
          +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);
        console.log(
          JSON.stringify({
            bench: 'comms.list',
            shape,
            query,
            messages: SENDS * RECIPIENTS,
            pageItems: first.messages.length,
            requests: r.latencies.length,
            concurrency,
            errors: r.errors,
            requestsPerSec: Math.round((r.latencies.length / r.ms) * 1000),
            p50Ms: pct(50),
            p99Ms: pct(99),
          }),
        );
      }
    }
  });
}

async function main(): Promise<void> {
  const only = process.env.BENCH_COMMS_PHASE;
  if (!only || only === 'accept') await accept();
  if (!only || only === 'deliver') await deliver();
  if (!only || only === 'list') await list();
}

if (process.argv[2] === '--client') {
  client().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  runBench(main);
}
