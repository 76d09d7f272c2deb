import { ADMIN_TOKEN, TestApp, type Reply } from '../testing/testApp';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The audit over HTTP: a conversation changed step by step answers `as_of` at each step
 * exactly as show answered then; the history lists every change in log order; only site
 * admins may ask.
 */
describe('audit: as_of and history', () => {
  let app: TestApp;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let cy: { id: number; token: string };
  let conversationId: number;
  /** What ben's show answered after each step, and a moment after that step. */
  const steps: { at: string; shown: Reply['body'] }[] = [];
  let beforeAll_: string;

  async function showAsBen(): Promise<Reply['body']> {
    const res = await app.request(
      'GET',
      `/api/v1/conversations/${conversationId}?auto_mark_as_read=false`,
      { token: ben.token },
    );
    expect(res.status).toBe(200);
    return res.body;
  }

  /** Records ben's view now, then a time strictly after everything written so far. */
  async function record(shown?: Reply['body']): Promise<void> {
    const body = shown ?? (await showAsBen());
    await pause(5);
    steps.push({ at: new Date().toISOString(), shown: body });
    await pause(5);
  }

  beforeAll(async () => {
    app = await TestApp.start();
    ann = await app.createUser('Ann Able', 'ann', 'Ann');
    ben = await app.createUser('Ben Best', 'ben', 'Ben');
    cy = await app.createUser('Cy Cole', 'cy', 'Cy');
    await app.courseWith(ann.id, ben.id, cy.id);
    await pause(5);
    beforeAll_ = new Date().toISOString();
    await pause(5);

    const created = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      json: { recipients: [ben.id], body: 'first', group_conversation: true, subject: 'Plans' },
    });
    expect(created.status).toBe(201);
    conversationId = created.body[0].id;
    await record(); // 0: unread, one message
    // Show marks it read: what it answered then is what as_of must give.
    const read = await app.request('GET', `/api/v1/conversations/${conversationId}`, {
      token: ben.token,
    });
    await record(read.body); // 1: read
    const second = await app.request(
      'POST',
      `/api/v1/conversations/${conversationId}/add_message`,
      {
        token: ann.token,
        json: { body: 'second' },
      },
    );
    expect(second.status).toBe(200);
    await app.request('PUT', `/api/v1/conversations/${conversationId}`, {
      token: ben.token,
      json: { conversation: { starred: true } },
    });
    await record(); // 2: two messages, starred, unread
    const added = await app.request(
      'POST',
      `/api/v1/conversations/${conversationId}/add_recipients`,
      { token: ann.token, json: { recipients: [String(cy.id)] } },
    );
    expect(added.status).toBe(200);
    await record(); // 3: cy joined
    await app.request('POST', `/api/v1/conversations/${conversationId}/remove_messages`, {
      token: ben.token,
      json: { remove: [String(second.body.messages[0].id)] },
    });
    await record(); // 4: the second message removed from ben's view
    await app.request('PUT', `/api/v1/conversations/${conversationId}`, {
      token: ben.token,
      json: { conversation: { workflow_state: 'archived', subscribed: false } },
    });
    await record(); // 5: archived and unsubscribed
    await app.request('POST', `/api/v1/conversations/${conversationId}/add_message`, {
      token: cy.token,
      json: { body: 'third' },
    });
    await record(); // 6: a message arrives while unsubscribed
  });
  afterAll(async () => {
    await app.stop();
  });

  const asOf = (at: string, asUser: number | null, token = ADMIN_TOKEN) =>
    app.request(
      'GET',
      `/api/v1/conversations/${conversationId}?as_of=${encodeURIComponent(at)}` +
        (asUser === null ? '' : `&as_user_id=${asUser}`),
      { token },
    );

  it('answers as_of at each step exactly as show answered then', async () => {
    expect(steps).toHaveLength(7);
    for (const [i, step] of steps.entries()) {
      const past = await asOf(step.at, ben.id);
      expect({ step: i, status: past.status, body: past.body }).toEqual({
        step: i,
        status: 200,
        body: step.shown,
      });
    }
    // The steps differ: the fold did follow the changes.
    expect(steps[4]!.shown.messages.map((m: { body: string }) => m.body)).not.toContain('second');
    expect(steps[3]!.shown.messages.map((m: { body: string }) => m.body)).toContain('second');
    expect(steps[2]!.shown).toMatchObject({ starred: true, workflow_state: 'unread' });
    // Reading the past writes nothing (no mark-as-read of the participant's view).
    const before = (await app.allEvents()).length;
    await asOf(steps[0]!.at, ben.id);
    expect((await app.allEvents()).length).toBe(before);
  });

  it('is 404 before the conversation existed or before the participant joined', async () => {
    expect((await asOf(beforeAll_, ben.id)).status).toBe(404);
    expect((await asOf(steps[2]!.at, cy.id)).status).toBe(404);
    const joined = await asOf(steps[3]!.at, cy.id);
    expect(joined.status).toBe(200);
    expect(joined.body.messages.map((m: { generated: boolean }) => m.generated)).toContain(true);
    expect((await asOf(steps[3]!.at, ben.id)).body.participants).toHaveLength(3);
  });

  it('refuses as_of to non-admins and bad times', async () => {
    const refused = await asOf(steps[0]!.at, null, ben.token);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    });
    expect((await asOf('yesterday', ben.id)).status).toBe(400);
  });

  async function allPages(path: string, token = ADMIN_TOKEN) {
    const entries: Record<string, unknown>[] = [];
    let url: string | undefined = `${path}?per_page=3`;
    for (let n = 0; url && n < 50; n++) {
      const res = await app.request('GET', url, { token });
      expect(res.status).toBe(200);
      expect(res.body.length).toBeLessThanOrEqual(3);
      entries.push(...res.body);
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '');
      url = next ? new URL(next[1]!).pathname + new URL(next[1]!).search : undefined;
    }
    return entries;
  }

  it('lists every change of the conversation in log order', async () => {
    const entries = await allPages(`/api/v1/conversations/${conversationId}/history`);
    const logged = (await app.allEvents()).filter(
      (e) =>
        e.streamId === `conversation-${conversationId}` ||
        e.streamId.startsWith(`participant-${conversationId}-`),
    );
    expect(entries.map((e) => e['event_type'])).toEqual(logged.map((e) => e.type));
    expect(entries.map((e) => e['position'])).toEqual(
      logged.map((e) => `${e.position.commit}/${e.position.prepare}`),
    );
    expect(entries[0]).toEqual({
      position: expect.any(String),
      event_type: 'ConversationStarted',
      created_at: expect.stringMatching(/Z$/),
      conversation_id: conversationId,
      actor_id: ann.id,
      user_id: null,
      summary: `conversation started by user ${ann.id} with 2 participants`,
    });
    expect(entries).toContainEqual(
      expect.objectContaining({
        event_type: 'ConversationStarred',
        user_id: ben.id,
        actor_id: ben.id,
      }),
    );
    // No message text in a summary.
    expect(JSON.stringify(entries)).not.toContain('second');
  });

  it('lists one user’s changes across their conversations', async () => {
    const entries = await allPages(`/api/v1/users/${cy.id}/conversations/history`);
    const types = entries.map((e) => e['event_type']);
    expect(types[0]).toBe('ConversationStarted');
    expect(types).toContain('RecipientsAdded');
    // Ben's own toggles are not part of Cy's account.
    expect(entries.some((e) => e['user_id'] === ben.id)).toBe(false);
    expect(entries.filter((e) => e['event_type'] === 'MessageAdded')).toHaveLength(4);
  });

  it('refuses history to non-admins', async () => {
    for (const path of [
      `/api/v1/conversations/${conversationId}/history`,
      `/api/v1/users/${ben.id}/conversations/history`,
      `/api/v1/users/self/conversations/history`,
    ]) {
      expect((await app.request('GET', path, { token: ben.token })).status).toBe(401);
    }
    expect(
      (await app.request('GET', '/api/v1/conversations/99999/history', { token: ADMIN_TOKEN }))
        .status,
    ).toBe(404);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await app.request('GET', '/openapi.json')).body;
    const show = doc.paths['/api/v1/conversations/{id}'].get;
    expect(show.parameters.map((p: { name: string }) => p.name)).toContain('as_of');
    for (const path of [
      '/api/v1/conversations/{id}/history',
      '/api/v1/users/{user_id}/conversations/history',
    ]) {
      expect(doc.paths[path].get.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['page', 'per_page']),
      );
      expect(doc.paths[path].get.security).toEqual([{ canvasToken: [] }]);
    }
  });
});
