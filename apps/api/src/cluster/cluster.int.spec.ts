import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const TOKEN = 'cluster-admin-token-0123456789';
const SEQ_BITS = 6;
const NODE_BITS = 6;

/**
 * One request on a connection of its own: the primary hands each new connection to the next
 * worker in turn, so consecutive requests land on different workers.
 */
function send(
  port: string,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** `/metrics` on a connection of its own, so successive scrapes reach different workers. */
function scrape(port: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () =>
        res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`)),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

/** How many answered `POST .../users` with 200, by the request-duration histogram's count. */
const usersCreated = (metrics: string) =>
  metrics
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('missive_http_request_duration_seconds_count{') &&
        line.includes('method="POST"') &&
        line.includes('/users"') &&
        line.includes('status="200"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);

const nodeOf = (id: number) => Math.floor(id / 2 ** SEQ_BITS) % 2 ** NODE_BITS;

/** The built API as operators run it on the embedded default: a primary and HTTP workers. */
describe('the API in cluster mode', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'missive-cluster-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves from two workers with their own ids, reads its writes on any worker, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATA_DIR: dir,
        PORT: '0',
        API_WORKERS: '2',
        NODE_ID: '0',
        LOG_LEVEL: 'silent',
        ADMIN_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let url: string | undefined;
      for (let i = 0; i < 1200 && !url; i++) {
        url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url).toBeDefined();
      expect(output).toContain('2 HTTP workers');
      const port = new URL(url!).port;

      // Appends from both workers at once: each has its own connection to the SQLite files.
      const created = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          send(port, 'POST', '/api/v1/accounts/self/users', {
            user: { name: `User ${i}` },
            pseudonym: { unique_id: `user${i}@example.com` },
          }),
        ),
      );
      expect(created.map((r) => r.status)).toEqual(created.map(() => 200));
      const ids = created.map((r) => Number(r.json.id));
      expect(new Set(ids).size).toBe(ids.length);
      // Worker k allocates with node id NODE_ID + k: both served, neither reused the other's.
      expect(new Set(ids.map(nodeOf))).toEqual(new Set([1, 2]));

      // Each write is read back at once on a fresh connection, so by the other worker too.
      for (let i = 0; i < 4; i++) {
        const user = await send(port, 'POST', '/api/v1/accounts/self/users', {
          user: { name: `Reader ${i}` },
          pseudonym: { unique_id: `reader${i}@example.com` },
        });
        expect(user.status).toBe(200);
        const read = await send(port, 'GET', `/api/v1/users/${user.json.id}`);
        expect(read).toMatchObject({ status: 200, json: { name: `Reader ${i}` } });

        const conversation = await send(port, 'POST', '/api/v1/conversations', {
          recipients: [String(user.json.id)],
          subject: `Hello ${i}`,
          body: 'Hi there',
        });
        expect(conversation.status).toBe(201);
        const inbox = await send(port, 'GET', '/api/v1/conversations?scope=sent');
        expect(inbox.status).toBe(200);
        expect(inbox.json.map((c: { subject: string }) => c.subject)).toContain(`Hello ${i}`);
      }

      // Whichever worker a scrape reaches, it counts the requests every worker served (16
      // users were created, spread over both), and reports the shared gauges once.
      for (let i = 0; i < 3; i++) {
        const metrics = await scrape(port);
        expect(usersCreated(metrics)).toBe(16);
        expect(metrics.match(/^# TYPE missive_projection_lag gauge$/gm)).toHaveLength(1);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: shutting down');
    expect(output).not.toMatch(/exited with/);
  });
});
