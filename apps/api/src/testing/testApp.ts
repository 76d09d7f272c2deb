import { EventValidator } from '@missive/contracts';
import type { EventStore, RecordedEvent } from '@missive/event-store';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../app';
import { AppConfig, loadConfig } from '../config/appConfig';
import { EVENT_STORE } from '../infrastructure/tokens';
import { Client } from 'pg';

const validator = new EventValidator();

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const CONFIRMATION_SECRET = 'test-confirmation-secret-0123456789abcdef';

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** Sent form-encoded with Canvas bracket names, as Canvas clients do. */
  form?: Record<string, string | string[]>;
  json?: unknown;
  headers?: Record<string, string>;
}

/** A real API process on a free port over a fresh embedded store (temp dir), for e2e tests. */
export class TestApp {
  private constructor(
    readonly running: RunningApp,
    private readonly dir: string,
    /** The schema made for this app under `E2E_READ_MODEL_URL`, dropped at stop. */
    private readonly schema?: { url: string; name: string },
  ) {}

  /** `dir`: the data directory of an earlier TestApp stopped with `keepData` (a restart). */
  static async start(
    env: Record<string, string> = {},
    logStream?: NodeJS.WritableStream,
    dir: string = mkdtempSync(join(tmpdir(), 'missive-e2e-')),
  ): Promise<TestApp> {
    const settings: Record<string, string> = {
      DATA_DIR: dir,
      PORT: '0',
      ADMIN_TOKEN,
      CONFIRMATION_SECRET,
      PROJECTOR_POLL_INTERVAL_MS: '5',
      LOG_LEVEL: 'silent',
      // Tests that deliver start the notifier themselves, with the transports they inspect.
      RUN_NOTIFIER: 'false',
      ...env,
    };
    // E2E_READ_MODEL_URL=postgres://…: the read models (and keys) of each app in a fresh
    // schema there, so that a suite written for the embedded default runs on PostgreSQL too.
    const pgUrl = process.env.E2E_READ_MODEL_URL;
    let schema: { url: string; name: string } | undefined;
    if (pgUrl && env.READ_MODEL_URL === undefined) {
      schema = { url: pgUrl, name: `e2e_${process.pid}_${randomBytes(4).toString('hex')}` };
      await withClient(pgUrl, (c) => c.query(`CREATE SCHEMA "${schema!.name}"`));
      const url = new URL(pgUrl);
      url.searchParams.set('schema', schema.name);
      settings.READ_MODEL_URL = url.toString();
    }
    const config = loadConfig(AppConfig, settings);
    const app = new TestApp(
      await startApp(config, { logger: false, logStream, env: settings }),
      dir,
      schema,
    );
    // The admin's token is written at start and applied by a projector soon after.
    while (
      schema &&
      (await app.request('GET', '/api/v1/users/self', { token: ADMIN_TOKEN })).status === 401
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return app;
  }

  get store(): EventStore {
    return this.running.app.get<EventStore>(EVENT_STORE);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(options.form)) {
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
      }
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.running.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. a plain-text error): callers assert on `text`
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** Every event in the store, to prove that refused requests write nothing. */
  async allEvents(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const e of this.store.readAll()) events.push(e);
    return events;
  }

  async createUser(
    name: string,
    login: string,
    shortName?: string,
  ): Promise<{ id: number; token: string }> {
    const form: Record<string, string> = { 'user[name]': name, 'pseudonym[unique_id]': login };
    if (shortName) form['user[short_name]'] = shortName;
    const created = await this.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form,
    });
    if (created.status !== 200) throw new Error(`create user: ${created.status} ${created.text}`);
    const token = await this.request('POST', `/api/v1/users/${created.body.id}/tokens`, {
      token: ADMIN_TOKEN,
    });
    if (token.status !== 200) throw new Error(`create token: ${token.status} ${token.text}`);
    return { id: created.body.id, token: token.body.visible_token };
  }

  /** A user whose first channel is an active email address (admin-created, so confirmed). */
  async createUserWithEmail(name: string, email: string): Promise<{ id: number; token: string }> {
    const created = await this.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: {
        'user[name]': name,
        'pseudonym[unique_id]': `${email}.login`,
        'communication_channel[type]': 'email',
        'communication_channel[address]': email,
        'communication_channel[skip_confirmation]': 'true',
      },
    });
    if (created.status !== 200) throw new Error(`create user: ${created.status} ${created.text}`);
    const token = await this.request('POST', `/api/v1/users/${created.body.id}/tokens`, {
      token: ADMIN_TOKEN,
    });
    if (token.status !== 200) throw new Error(`create token: ${token.status} ${token.text}`);
    return { id: created.body.id, token: token.body.visible_token };
  }

  /** A course with these users actively enrolled as students, so they may message each other. */
  async courseWith(...userIds: number[]): Promise<number> {
    const course = await this.request('POST', '/api/v1/accounts/self/courses', {
      token: ADMIN_TOKEN,
      form: { 'course[name]': 'Shared course' },
    });
    if (course.status !== 200) throw new Error(`create course: ${course.status} ${course.text}`);
    for (const userId of userIds) {
      const enrolled = await this.request('POST', `/api/v1/courses/${course.body.id}/enrollments`, {
        token: ADMIN_TOKEN,
        form: { 'enrollment[user_id]': String(userId), 'enrollment[enrollment_state]': 'active' },
      });
      if (enrolled.status !== 200) throw new Error(`enroll: ${enrolled.status} ${enrolled.text}`);
    }
    return course.body.id;
  }

  get dataDir(): string {
    return this.dir;
  }

  /**
   * Stops the app, after checking every event the test made the system write against the
   * public catalogue's schemas: each e2e suite doubles as a test that what the domain emits
   * is what the catalogue promises.
   */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    const invalid = (await this.allEvents()).flatMap((event) => validator.validate(event).errors);
    await this.running.close();
    if (!options.keepData) rmSync(this.dir, { recursive: true, force: true });
    const schema = this.schema;
    if (schema && !options.keepData) {
      await withClient(schema.url, (c) => c.query(`DROP SCHEMA "${schema.name}" CASCADE`));
    }
    if (invalid.length > 0) {
      throw new Error(`events that break the catalogue:\n${[...new Set(invalid)].join('\n')}`);
    }
  }
}

async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
