import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const COMMS_USER = 'ACrate0000000000';
const COMMS_SECRET = 'comms-secret-0123456789';

/** A GET on a connection of its own, so that consecutive requests reach different workers. */
function get(
  port: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; remaining?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, headers },
      (res) => {
        res.resume();
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            remaining: res.headers['x-rate-limit-remaining'] as string | undefined,
          }),
        );
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

async function startCluster(dir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATA_DIR: dir,
      PORT: '0',
      API_WORKERS: '2',
      NODE_ID: '0',
      LOG_LEVEL: 'silent',
      // No pre-flight cost and no leak: the first request's own wall time fills the bucket
      // past this tiny mark for good, so a shared bucket admits exactly one request and a
      // bucket per worker one per worker. Nothing depends on how long a request takes.
      RATE_LIMIT_HIGH_WATER_MARK: '0.000000001',
      RATE_LIMIT_MAXIMUM: '1',
      RATE_LIMIT_UPFRONT_COST: '0',
      RATE_LIMIT_OUTFLOW_PER_SEC: '0',
      COMMS_ACCOUNT_ID: COMMS_USER,
      COMMS_AUTH_TOKEN: COMMS_SECRET,
      COMMS_RATE_LIMIT_BURST: '3',
      COMMS_RATE_LIMIT_PER_SEC: '0.001',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let url: string | undefined;
  for (let i = 0; i < 1200 && !url; i++) {
    url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
    if (!url && child.exitCode !== null) break;
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  if (!url) throw new Error(`the cluster did not start:\n${output}`);
  return {
    port: new URL(url).port,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Requests one after another, alternating between the two workers. */
async function inTurn(n: number, send: () => Promise<{ status: number; remaining?: string }>) {
  const answers = [];
  for (let i = 0; i < n; i++) answers.push(await send());
  return answers;
}

const basic = `Basic ${Buffer.from(`${COMMS_USER}:${COMMS_SECRET}`).toString('base64')}`;

/** Two HTTP workers share one allowance per client: together they admit what one process does. */
describe.each([
  ['the cluster primary', {}],
  ['Redis', { REDIS_URL, REDIS_KEY_PREFIX: `missive-test:${randomUUID()}:` }],
])('rate limits of a two-worker cluster kept by %s', (_where, env: Record<string, string>) => {
  let dir: string;
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if ('REDIS_KEY_PREFIX' in env) {
      const admin = new Redis(REDIS_URL);
      const keys = await admin.keys(`${env.REDIS_KEY_PREFIX}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    }
  });

  it('admits one Canvas request and three Comms requests in all, as one process would', async () => {
    dir = mkdtempSync(join(tmpdir(), 'missive-rate-'));
    const cluster = await startCluster(dir, env);
    try {
      // Anonymous requests count against the caller's address: admitted ones answer 401.
      const canvas = await inTurn(6, () => get(cluster.port, '/api/v1/users/self'));
      expect(canvas.map((a) => a.status)).toEqual([401, 403, 403, 403, 403, 403]);
      // A refused request does not claim any capacity left.
      for (const refused of canvas.slice(1))
        expect(Number(refused.remaining)).toBeLessThanOrEqual(0);

      const comms = await inTurn(6, () =>
        get(cluster.port, '/v1/Messages', { authorization: basic }),
      );
      expect(comms.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
    } finally {
      expect(await cluster.stop()).toBe(0);
    }
  }, 120_000);
});
