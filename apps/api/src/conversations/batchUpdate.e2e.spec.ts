import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('Batch update and Progress over HTTP', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let ids: number[];

  beforeAll(async () => {
    app = await TestApp.start();
    ann = await app.createUser('Ann Able', 'ann');
    ben = await app.createUser('Ben Best', 'ben');
    await app.courseWith(ann.id, ben.id);
    ids = [];
    for (const body of ['one', 'two', 'three']) {
      const res = await app.request('POST', '/api/v1/conversations', {
        token: ben.token,
        json: { recipients: [ann.id], body, group_conversation: true },
      });
      ids.push(res.body[0].id);
    }
  });
  afterAll(async () => {
    await app.stop();
  });

  /** Polls the Progress until the job has ended (bounded; no timing assertion). */
  async function finished(url: string, token: string) {
    for (let i = 0; i < 200; i++) {
      const res = await app.request('GET', new URL(url).pathname, { token });
      if (res.body.workflow_state === 'completed' || res.body.workflow_state === 'failed')
        return res.body;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('progress never finished');
  }

  it('answers a queued Progress and applies the event to every conversation of the user', async () => {
    const res = await app.request('PUT', '/api/v1/conversations', {
      token: ann.token,
      form: { 'conversation_ids[]': [...ids.map(String), '999999'], event: 'star' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      context_type: 'User',
      context_id: ann.id,
      user_id: ann.id,
      tag: 'conversation_batch_update',
      completion: 0,
      workflow_state: 'queued',
      message: null,
      url: expect.stringMatching(/\/api\/v1\/progress\/\d+$/),
    });
    const done = await finished(res.body.url, ann.token);
    expect(done).toMatchObject({ workflow_state: 'completed', completion: 100 });
    expect(done.message).toBe(
      '3 conversations processed\nError updating conversation 999999: not participating',
    );
    const starred = await app.request('GET', '/api/v1/conversations?scope=starred', {
      token: ann.token,
    });
    expect(starred.body.map((c: { id: number }) => c.id).sort()).toEqual([...ids].sort());

    // Others may not poll it; the admin may.
    expect(
      (await app.request('GET', new URL(res.body.url).pathname, { token: ben.token })).status,
    ).toBe(401);
    expect(
      (await app.request('GET', new URL(res.body.url).pathname, { token: ADMIN_TOKEN })).status,
    ).toBe(200);
  });

  it('fails the job when the user is in none of the conversations, and destroys per user', async () => {
    const none = await app.request('PUT', '/api/v1/conversations', {
      token: ann.token,
      json: { conversation_ids: ['999998'], event: 'archive' },
    });
    expect((await finished(none.body.url, ann.token)).workflow_state).toBe('failed');

    const destroy = await app.request('PUT', '/api/v1/conversations', {
      token: ann.token,
      json: { conversation_ids: [ids[0]], event: 'destroy' },
    });
    await finished(destroy.body.url, ann.token);
    expect(
      (await app.request('GET', `/api/v1/conversations/${ids[0]}`, { token: ann.token })).status,
    ).toBe(404);
    expect(
      (await app.request('GET', `/api/v1/conversations/${ids[0]}`, { token: ben.token })).status,
    ).toBe(200);
  });

  it.each([
    [{}, 'conversation_ids not specified'],
    [{ event: 'star' }, 'conversation_ids not specified'],
    [
      { conversation_ids: Array.from({ length: 501 }, (_, i) => String(i + 1)), event: 'star' },
      'conversation batch size limit (500) exceeded',
    ],
    [{ conversation_ids: ['1'] }, 'event not specified'],
    [{ conversation_ids: ['1'], event: 'explode' }, 'invalid event'],
  ])('refuses %j with Canvas’s message and writes nothing', async (json, message) => {
    const before = (await app.allEvents()).length;
    const res = await app.request('PUT', '/api/v1/conversations', { token: ann.token, json });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message });
    expect((await app.allEvents()).length).toBe(before);
  });

  it('sends an async batch in the background: 202, [], a batch id, then one conversation each', async () => {
    const cy = await app.createUser('Cy Cole', 'cy');
    await app.courseWith(ann.id, cy.id);
    const res = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      json: { recipients: [ben.id, cy.id], body: 'async hello', mode: 'async' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual([]);
    expect(res.headers.get('x-conversation-batch-id')).toMatch(/^\d+$/);
    for (let i = 0; i < 200; i++) {
      const batches = await app.request('GET', '/api/v1/conversations/batches', {
        token: ann.token,
      });
      expect(batches.status).toBe(200);
      if (batches.body.length === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const recipient of [ben, cy]) {
      const inbox = await app.request('GET', '/api/v1/conversations', { token: recipient.token });
      expect(inbox.body.map((c: { last_message: string }) => c.last_message)).toContain(
        'async hello',
      );
    }
  });

  it('answers 404 for an unknown progress', async () => {
    expect((await app.request('GET', '/api/v1/progress/424242', { token: ann.token })).status).toBe(
      404,
    );
  });
});
