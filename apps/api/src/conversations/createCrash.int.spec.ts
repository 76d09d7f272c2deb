import { SqliteEventStore } from '@missive/event-store';
import { protectMissiveEventStore } from '@missive/personal-data';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, CONFIRMATION_SECRET, TestApp } from '../testing/testApp';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

interface Api {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

/**
 * The built API SIGKILLed (no shutdown hook runs) after a Canvas create wrote its events and
 * before it answered, then started again on the same data directory and the request retried
 * with the same Idempotency-Key: the key fixed the ids the first attempt wrote under, so the
 * retry finds its writes and answers with them. Counted in the event log itself.
 *
 * The first process runs without projectors, so each create writes and then waits for a
 * projection that never comes: the kill lands, every time, between the write and the answer.
 */
describe('Canvas creates retried after a crash of the API process', () => {
  let dir: string;
  const running: ChildProcess[] = [];
  let ann: { id: number; token: string };
  let ben: { id: number };
  let cy: { id: number };

  jest.setTimeout(120_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'missive-create-crash-'));
    const setup = await TestApp.start({}, undefined, dir);
    ann = await setup.createUser('Ann Lee', 'ann');
    ben = await setup.createUser('Ben Ray', 'ben');
    cy = await setup.createUser('Cy Day', 'cy');
    await setup.courseWith(ann.id, ben.id, cy.id);
    await setup.stop({ keepData: true });
  });
  afterEach(async () => {
    for (const child of running.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(env: Record<string, string> = {}): Promise<Api> {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'silent',
        API_WORKERS: '1',
        RUN_NOTIFIER: 'false',
        ADMIN_TOKEN,
        CONFIRMATION_SECRET,
        IDEMPOTENCY_LEASE_MS: '1000',
        READ_YOUR_WRITES_TIMEOUT_MS: '60000',
        PROJECTOR_POLL_INTERVAL_MS: '5',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 600; i++) {
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) return { child, url, exited };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the API did not start:\n${output}`);
  }

  /** The log as the API reads it: subjects and bodies are sealed on disk, opened by the key store. */
  async function eventsOf(type: string): Promise<Record<string, unknown>[]> {
    const store = protectMissiveEventStore(
      new SqliteEventStore({ path: join(dir, 'events.db') }),
      `sqlite:${join(dir, 'keys.db')}`,
    );
    const found: Record<string, unknown>[] = [];
    try {
      await store.ready();
      for await (const event of store.readAll()) {
        if (event.type === type) found.push(event.data as Record<string, unknown>);
      }
    } finally {
      await store.close();
    }
    return found;
  }

  const post = (api: Api, path: string, form: Record<string, string | string[]>, key: string) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) {
      for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
    }
    return fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ann.token}`,
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': key,
      },
      body,
    });
  };

  /**
   * Sends the request to an API without projectors, SIGKILLs it once `written` holds (its
   * events are in the log), then retries on a full API until the dead claim's lease ran out.
   */
  async function crashAndRetry(
    path: string,
    form: Record<string, string | string[]>,
    key: string,
    written: () => Promise<boolean>,
  ): Promise<Response> {
    const first = await start({ RUN_PROJECTORS: 'false' });
    const pending = post(first, path, form, key).catch(() => null);
    for (let i = 0; i < 1200 && !(await written()); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await written()).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;
    // Killed before it answered.
    expect(await pending).toBeNull();
    const second = await start();
    let retry = await post(second, path, form, key);
    for (let i = 0; i < 200 && retry.status === 409; i++) {
      await new Promise((r) => setTimeout(r, 50));
      retry = await post(second, path, form, key);
    }
    return retry;
  }

  const starts = async (subject: string) =>
    (await eventsOf('ConversationStarted')).filter((e) => e['subject'] === subject);

  it('a group create writes one conversation and answers it on the retry', async () => {
    const form = {
      'recipients[]': [String(ben.id), String(cy.id)],
      subject: 'Group crash',
      body: 'Hello both',
      group_conversation: 'true',
    };
    const retry = await crashAndRetry(
      '/api/v1/conversations',
      form,
      'group-crash-1',
      async () => (await starts('Group crash')).length > 0,
    );
    expect(retry.status).toBe(201);
    const [answer] = (await retry.json()) as { id: number }[];
    const started = await starts('Group crash');
    expect(started).toHaveLength(1);
    expect(String(answer!.id)).toBe(String(started[0]!['conversationId']));
  });

  it('a bulk private create writes one conversation per recipient', async () => {
    const form = {
      'recipients[]': [String(ben.id), String(cy.id)],
      subject: 'Bulk crash',
      body: 'Hello each',
      group_conversation: 'false',
    };
    const retry = await crashAndRetry(
      '/api/v1/conversations',
      form,
      'bulk-crash-1',
      async () => (await starts('Bulk crash')).length >= 2,
    );
    expect(retry.status).toBe(201);
    const answered = ((await retry.json()) as { id: number }[]).map((c) => String(c.id)).sort();
    const started = await starts('Bulk crash');
    expect(started).toHaveLength(2);
    expect(answered).toEqual(started.map((e) => String(e['conversationId'])).sort());
  });

  it('a reply (add_message) is written once', async () => {
    const setup = await start();
    const created = await post(
      setup,
      '/api/v1/conversations',
      {
        'recipients[]': [String(ben.id)],
        subject: 'Reply crash',
        body: 'First',
        group_conversation: 'true',
      },
      'reply-crash-setup',
    );
    expect(created.status).toBe(201);
    const [{ id }] = (await created.json()) as { id: number }[];
    setup.child.kill('SIGTERM');
    await setup.exited;
    running.splice(0);

    const replies = async () =>
      (await eventsOf('MessageAdded')).filter((e) => e['body'] === 'Second, once');
    const retry = await crashAndRetry(
      `/api/v1/conversations/${id}/add_message`,
      { body: 'Second, once' },
      'reply-crash-1',
      async () => (await replies()).length > 0,
    );
    expect(retry.status).toBe(200);
    const answer = (await retry.json()) as { messages: { id: number; body: string }[] };
    const written = await replies();
    expect(written).toHaveLength(1);
    expect(answer.messages.map((m) => String(m.id))).toEqual([String(written[0]!['messageId'])]);
  });
});
