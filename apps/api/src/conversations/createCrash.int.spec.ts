import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiProcesses,
  CANVAS_CRASH_ENV,
  retryPast409,
  sendForm,
  type ApiProcess,
} from '../testing/apiProcesses';
import { TestApp } from '../testing/testApp';

/**
 * The built API SIGKILLed (no shutdown hook runs) at a fixed step of a Canvas create
 * (MISSIVE_CRASH_AT: after it wrote some or all of its events, before it answered), then
 * started again on the same data directory and the request retried with the same
 * Idempotency-Key: the key fixed the ids the first attempt wrote under, so the retry finds its
 * writes, writes only what is missing, and answers with them. Counted in the event log itself.
 */
describe('Canvas creates retried after a crash of the API process', () => {
  let dir: string;
  let apis: ApiProcesses;
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
    apis = new ApiProcesses(dir, CANVAS_CRASH_ENV);
  });
  afterEach(() => apis.stopAll());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const post = (
    api: ApiProcess,
    path: string,
    form: Record<string, string | string[]>,
    key: string,
  ) => sendForm(api, 'POST', path, { form, token: ann.token, key });

  /** Kills the request at `step`, then retries it on a fresh API until the dead claim ran out. */
  async function crashAndRetry(
    step: string,
    path: string,
    form: Record<string, string | string[]>,
    key: string,
  ): Promise<Response> {
    await apis.crashAt(step, (api) => post(api, path, form, key));
    const second = await apis.start();
    return retryPast409(() => post(second, path, form, key));
  }

  const starts = async (subject: string) =>
    (await apis.events('ConversationStarted'))
      .map((e) => e.data as Record<string, unknown>)
      .filter((e) => e['subject'] === subject);

  it('a group create writes one conversation and answers it on the retry', async () => {
    const form = {
      'recipients[]': [String(ben.id), String(cy.id)],
      subject: 'Group crash',
      body: 'Hello both',
      group_conversation: 'true',
    };
    const retry = await crashAndRetry(
      'conversation-create:written',
      '/api/v1/conversations',
      form,
      'group-crash-1',
    );
    expect(retry.status).toBe(201);
    const [answer] = (await retry.json()) as { id: number }[];
    const started = await starts('Group crash');
    expect(started).toHaveLength(1);
    expect(String(answer!.id)).toBe(String(started[0]!['conversationId']));
  });

  it('a bulk private create killed after its first conversation writes one conversation per recipient', async () => {
    const form = {
      'recipients[]': [String(ben.id), String(cy.id)],
      subject: 'Bulk crash',
      body: 'Hello each',
      group_conversation: 'false',
    };
    await apis.crashAt('conversation-create:batch-conversation-written', (api) =>
      post(api, '/api/v1/conversations', form, 'bulk-crash-1'),
    );
    // Half-way: the second recipient's conversation is the retry's to write.
    expect(await starts('Bulk crash')).toHaveLength(1);
    const second = await apis.start();
    const retry = await retryPast409(() =>
      post(second, '/api/v1/conversations', form, 'bulk-crash-1'),
    );
    expect(retry.status).toBe(201);
    const answered = ((await retry.json()) as { id: number }[]).map((c) => String(c.id)).sort();
    const started = await starts('Bulk crash');
    expect(started).toHaveLength(2);
    expect(answered).toEqual(started.map((e) => String(e['conversationId'])).sort());
  });

  it('a reply (add_message) is written once', async () => {
    const setup = await apis.start();
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
    await apis.stopAll();

    const retry = await crashAndRetry(
      'add-message:written',
      `/api/v1/conversations/${id}/add_message`,
      { body: 'Second, once' },
      'reply-crash-1',
    );
    expect(retry.status).toBe(200);
    const answer = (await retry.json()) as { messages: { id: number; body: string }[] };
    const written = (await apis.events('MessageAdded'))
      .map((e) => e.data as Record<string, unknown>)
      .filter((e) => e['body'] === 'Second, once');
    expect(written).toHaveLength(1);
    expect(answer.messages.map((m) => String(m.id))).toEqual([String(written[0]!['messageId'])]);
  });
});
