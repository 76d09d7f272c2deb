import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/** The built API as operators run it: SIGTERM must end it cleanly (exit 0), not kill it. */
describe('graceful shutdown of the API process', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'missive-shutdown-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finishes, stops its projectors and notifier, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        ADMIN_TOKEN: 'shutdown-admin-token-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    let url: string | undefined;
    for (let i = 0; i < 600 && !url; i++) {
      url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url).toBeDefined();
    const port = new URL(url!).port;
    // A write that the in-process projectors must apply before the process may go.
    const created = await fetch(`http://127.0.0.1:${port}/api/v1/accounts/self/users`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer shutdown-admin-token-0123456789',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ user: { name: 'Ada' }, pseudonym: { unique_id: 'ada@example.com' } }),
    });
    expect(created.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGTERM: shutting down');
  });
});
