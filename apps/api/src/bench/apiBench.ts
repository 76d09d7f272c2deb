import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { BenchFailure, requireProjectionsCaughtUp, runBench } from './benchChecks';
import { discard } from './discard';

/**
 * End-to-end command and query paths over real HTTP on the embedded default: each request is
 * authenticated, validated, appended durably, and (for commands) answered only after the
 * projection has caught up (read-your-writes). Prints one JSON line per figure. Any error
 * response, or a projection left behind or with a parked event afterwards, fails the run.
 */
const ADMIN = 'bench-admin-token-0123456789';
/** Requests per figure; BENCH_REQUESTS makes a quick check run. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(url: string, token: string, method: string, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300)
    throw new BenchFailure(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(
  baseUrl: string,
  name: string,
  total: number,
  concurrency: number,
  op: (i: number) => Promise<'skipped' | void>,
): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        if ((await op(i)) === 'skipped') continue;
        latencies.push(performance.now() - t0);
        done++;
      }
    }),
  );
  const ms = performance.now() - started;
  // The figure counts only once the read models hold everything it wrote.
  await requireProjectionsCaughtUp(baseUrl);
  latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: name,
      // Only requests answered with a 2xx count: an error response fails the run in `call`.
      requests: done,
      errors: 0,
      concurrency,
      requestsPerSec: Math.round((done / ms) * 1000),
      p50Ms: +percentile(latencies, 50).toFixed(2),
      p99Ms: +percentile(latencies, 99).toFixed(2),
      ms: Math.round(ms),
    }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'missive-bench-'));
  const config = loadConfig(AppConfig, {
    DATA_DIR: dir,
    PORT: '0',
    ADMIN_TOKEN: ADMIN,
    PROJECTOR_POLL_INTERVAL_MS: '5',
  });
  const app = await startApp(config, { logger: false, logStream: discard() });
  try {
    const users: { id: number; token: string }[] = [];
    // Users may message each other only when they share a course (or group): one course holds
    // all of them.
    const course = await call(`${app.url}/api/v1/accounts/self/courses`, ADMIN, 'POST', {
      course: { name: 'Bench' },
    });
    for (let i = 0; i < 50; i++) {
      const u = await call(`${app.url}/api/v1/accounts/self/users`, ADMIN, 'POST', {
        user: { name: `User ${i}` },
        pseudonym: { unique_id: `user${i}` },
      });
      const t = await call(`${app.url}/api/v1/users/${u.id}/tokens`, ADMIN, 'POST', {});
      await call(`${app.url}/api/v1/courses/${course.id}/enrollments`, ADMIN, 'POST', {
        enrollment: {
          user_id: String(u.id),
          type: 'StudentEnrollment',
          enrollment_state: 'active',
        },
      });
      users.push({ id: u.id, token: t.visible_token });
    }
    const pair = (i: number) => [users[i % 50]!, users[(i * 7 + 1) % 50]!] as const;
    await measure(app.url, 'api.conversations.create', REQUESTS, 16, async (i) => {
      const [from, to] = pair(i);
      if (from.id === to.id) return 'skipped';
      await call(`${app.url}/api/v1/conversations`, from.token, 'POST', {
        recipients: [String(to.id)],
        body: `message ${i}`,
        group_conversation: i % 2 === 0,
      });
    });
    await measure(app.url, 'api.conversations.list', REQUESTS, 16, async (i) => {
      await call(`${app.url}/api/v1/conversations?per_page=10`, users[i % 50]!.token, 'GET');
    });
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
