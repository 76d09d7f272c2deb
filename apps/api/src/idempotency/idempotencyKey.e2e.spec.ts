import { COMMS_ENV, CommsClient } from '../comms/testing/commsClient';
import { TestApp } from '../testing/testApp';

describe('Idempotency-Key over HTTP', () => {
  let app: TestApp;
  let comms: CommsClient;
  let ann: { id: number; token: string };
  let ben: { id: number; token: string };
  let cy: { id: number; token: string };

  beforeAll(async () => {
    app = await TestApp.start(COMMS_ENV);
    comms = new CommsClient(app);
    ann = await app.createUser('Ann Lee', 'ann');
    ben = await app.createUser('Ben Ray', 'ben');
    cy = await app.createUser('Cy Day', 'cy');
    await app.courseWith(ann.id, ben.id, cy.id);
  });
  afterAll(async () => {
    await app.stop();
  });

  const start = (token: string, key: string, body = 'Hello Ben', to = ben.id) =>
    app.request('POST', '/api/v1/conversations', {
      token,
      form: { 'recipients[]': String(to), subject: 'Lunch', body, group_conversation: 'true' },
      headers: { 'Idempotency-Key': key },
    });

  it('answers a retried Canvas create with the first answer and writes nothing more', async () => {
    const first = await start(ann.token, 'create-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const events = (await app.allEvents()).length;

    const retry = await start(ann.token, 'create-1');
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    // The replay has its own rate-limit accounting, not the first request's.
    expect(retry.headers.get('x-request-cost')).not.toBeNull();
    expect((await app.allEvents()).length).toBe(events);

    const sent = await app.request('GET', '/api/v1/conversations?scope=sent', {
      token: ann.token,
    });
    expect(sent.body.filter((c: { subject: string }) => c.subject === 'Lunch')).toHaveLength(1);
  });

  it('refuses the same key for a different request with 422 in the Canvas shape', async () => {
    await start(ann.token, 'create-2');
    const events = (await app.allEvents()).length;
    const other = await start(ann.token, 'create-2', 'Something else');
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      errors: [{ message: 'This Idempotency-Key was already used for a different request.' }],
    });
    expect((await app.allEvents()).length).toBe(events);
  });

  it('keeps keys per credential: another user with the same key gets their own answer', async () => {
    const mine = await start(ann.token, 'shared-key');
    const theirs = await start(cy.token, 'shared-key', 'Hello Ben', ben.id);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body[0].id).not.toBe(mine.body[0].id);
  });

  it('does not remember a refused request: the corrected retry with the same key runs', async () => {
    const refused = await start(ann.token, 'create-3', '');
    expect(refused.status).toBe(400);
    const corrected = await start(ann.token, 'create-3', 'Now with a body');
    expect(corrected.status).toBe(201);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a malformed key with 400 and writes nothing', async () => {
    const events = (await app.allEvents()).length;
    const res = await start(ann.token, 'x'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [{ message: 'Idempotency-Key must be 1 to 255 visible ASCII characters.' }],
    });
    expect((await app.allEvents()).length).toBe(events);
  });

  it('runs concurrent first requests with one key once: one answer, the others 409 or replays', async () => {
    const events = (await app.allEvents()).length;
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => start(ann.token, 'race-1', 'Race')),
    );
    const created = replies.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.text)).size).toBe(1);
    for (const r of replies) expect([201, 409]).toContain(r.status);
    for (const r of replies.filter((r) => r.status === 409))
      expect(r.body.errors[0].message).toMatch(/still being processed/);
    const conversationEvents = (await app.allEvents())
      .slice(events)
      .filter((e) => e.type === 'ConversationStarted');
    expect(conversationEvents).toHaveLength(1);
  });

  it('replays a Comms send: same operation, same Location, no second operation', async () => {
    const body = { to: [{ address: '+14155550100', channel: 'PHONE' }], content: { text: 'Hi' } };
    const first = await comms.request('POST', '/v1/Messages', body, {
      'Idempotency-Key': 'send-1',
    });
    expect(first.status).toBe(202);
    const events = (await app.allEvents()).length;
    const retry = await comms.request('POST', '/v1/Messages', body, {
      'Idempotency-Key': 'send-1',
    });
    expect(retry.status).toBe(202);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect((await app.allEvents()).length).toBe(events);

    const other = await comms.request(
      'POST',
      '/v1/Messages',
      { ...body, content: { text: 'Bye' } },
      { 'Idempotency-Key': 'send-1' },
    );
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      errors: [
        {
          code: 20422,
          message: 'This Idempotency-Key was already used for a different request.',
          infoUrl: 'https://www.twilio.com/docs/api/errors/20422',
          context: null,
        },
      ],
    });
  });

  it('leaves requests without the header, and reads, as they were', async () => {
    const a = await start(ann.token, '');
    // An empty key is malformed, not absent.
    expect(a.status).toBe(400);
    const list = await app.request('GET', '/api/v1/conversations', {
      token: ben.token,
      headers: { 'Idempotency-Key': 'ignored-on-get' },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get('idempotent-replayed')).toBeNull();
  });
});
