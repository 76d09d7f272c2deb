import { SqliteEventStore } from '@missive/event-store';
import type { RecordedEvent } from '@missive/event-store';
import { protectMissiveEventStore } from '@missive/personal-data';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, CONFIRMATION_SECRET } from './testApp';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/**
 * The settings of the Canvas crash tests: an admin to act as, and a key's claim that runs out
 * after a second, so that the retry of a killed request soon takes over.
 */
export const CANVAS_CRASH_ENV: Readonly<Record<string, string>> = {
  ADMIN_TOKEN,
  CONFIRMATION_SECRET,
  IDEMPOTENCY_LEASE_MS: '1000',
  PROJECTOR_POLL_INTERVAL_MS: '5',
};

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The built API (`dist/main.js`) as real processes on one data directory, for crash tests: a
 * process set to SIGKILL itself at a step of a request (MISSIVE_CRASH_AT, see crashPoint), then
 * a fresh one on the same data that the retry goes to.
 */
export class ApiProcesses {
  private readonly running: ChildProcess[] = [];

  constructor(
    readonly dir: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /** Processes on a new, empty data directory; `remove` deletes it. */
  static inTempDir(prefix: string, env: Record<string, string>): ApiProcesses {
    return new ApiProcesses(mkdtempSync(join(tmpdir(), prefix)), env);
  }

  async start(env: Record<string, string> = {}): Promise<ApiProcess> {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATA_DIR: this.dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        API_WORKERS: '1',
        RUN_NOTIFIER: 'false',
        ...this.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    for (let i = 0; i < 600; i++) {
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) return { child, url, exited };
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the API did not start:\n${output}`);
  }

  /**
   * Starts a process that kills itself at `step`, sends it the request, and returns once it is
   * dead: killed by its own SIGKILL, before it answered.
   */
  async crashAt(step: string, send: (api: ApiProcess) => Promise<Response>): Promise<void> {
    const api = await this.start({ MISSIVE_CRASH_AT: step });
    const answered = send(api).then(
      (res) => res.status,
      () => null,
    );
    expect(await api.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await answered).toBeNull();
  }

  /** Ends every process still running (SIGTERM: a graceful stop). */
  async stopAll(): Promise<void> {
    for (const child of this.running.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }

  /** Stops every process, then deletes the data directory. */
  async remove(): Promise<void> {
    await this.stopAll();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The log as the API reads it: personal data is sealed on disk, opened by the key store. */
  async events(type?: string): Promise<RecordedEvent[]> {
    const store = protectMissiveEventStore(
      new SqliteEventStore({ path: join(this.dir, 'events.db') }),
      `sqlite:${join(this.dir, 'keys.db')}`,
    );
    const found: RecordedEvent[] = [];
    try {
      await store.ready();
      for await (const event of store.readAll()) {
        if (type === undefined || event.type === type) found.push(event);
      }
    } finally {
      await store.close();
    }
    return found;
  }
}

/** Posts until the key's claim, left by the killed attempt, has run out (409 until then). */
export async function retryPast409(send: () => Promise<Response>): Promise<Response> {
  let res = await send();
  for (let i = 0; i < 200 && res.status === 409; i++) {
    await new Promise((r) => setTimeout(r, 50));
    res = await send();
  }
  return res;
}

/** A form request as Canvas clients send them: an array's values under one repeated name. */
export function sendForm(
  api: ApiProcess,
  method: string,
  path: string,
  options: { form?: Record<string, string | string[]>; token: string; key?: string },
): Promise<Response> {
  let body: URLSearchParams | undefined;
  if (options.form) {
    body = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
    }
  }
  return fetch(`${api.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.key ? { 'idempotency-key': options.key } : {}),
    },
    body,
  });
}
