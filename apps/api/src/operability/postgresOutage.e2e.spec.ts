import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { createPgTestDatabase, type PgTestDatabase } from '../testing/pgTestDatabase';
import { COMMS_ENV, CommsClient } from '../comms/testing/commsClient';

/** Retries `probe` until it returns true; fails after `ms`. */
async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An instance with its event store and read models on PostgreSQL, while the server goes away
 * and comes back: this test's connections are ended and refused (its own role only; the
 * shared server keeps running for everybody else).
 */
describe('the API when PostgreSQL is down', () => {
  let pg: PgTestDatabase;
  let app: TestApp;
  let comms: CommsClient;

  beforeAll(async () => {
    pg = await createPgTestDatabase('missive_outage');
    app = await TestApp.start({
      ...COMMS_ENV,
      EVENT_STORE_URL: pg.url,
      READ_MODEL_URL: pg.url,
    });
    comms = new CommsClient(app);
  }, 60_000);
  afterAll(async () => {
    await pg?.restore();
    await app?.stop();
    await pg?.drop();
  });

  const createUser = (login: string) =>
    app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      json: { user: { name: login }, pseudonym: { unique_id: `${login}@example.com` } },
    });
  const send = (text: string) =>
    comms.request('POST', '/v1/Messages', {
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      content: { text },
    });

  it('answers 503 in each dialect, writes nothing, fails /ready, and recovers by itself', async () => {
    // The admin token is usable once the users projection has caught up with its bootstrap.
    let before = await createUser('before');
    await until(
      async () => (before = await createUser('before')).status === 200,
      30_000,
      'the admin token',
    );
    expect((await send('before')).status).toBe(202);
    await until(async () => (await app.request('GET', '/ready')).status === 200, 30_000, 'ready');

    await pg.outage();
    const canvas = await createUser('during');
    expect(canvas.status).toBe(503);
    expect(canvas.body).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'service_unavailable' }],
    });
    const sent = await send('during');
    expect(sent.status).toBe(503);
    expect(sent.body).toEqual({
      errors: [expect.objectContaining({ code: 20503, message: 'Service unavailable.' })],
    });
    expect(sent.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await app.request('GET', '/ready')).status).toBe(503);
    // Reads fail the same way rather than answer from nowhere.
    expect(
      (await app.request('GET', `/api/v1/users/${before.body.id}`, { token: ADMIN_TOKEN })).status,
    ).toBe(503);

    await pg.restore();
    await until(
      async () => (await app.request('GET', '/ready')).status === 200,
      30_000,
      'ready again',
    );
    const after = await createUser('after');
    expect(after.status).toBe(200);
    expect((await send('after')).status).toBe(202);

    // Nothing of the refused requests was written: no event names them, and no message.
    const logged: string[] = [];
    for await (const event of app.store.readAll()) logged.push(JSON.stringify(event.data));
    expect(logged.some((data) => data.includes('after@example.com'))).toBe(true);
    expect(logged.filter((data) => data.includes('during'))).toEqual([]);
    // One message sent before the outage and one after; none from the refused send.
    const listed = await comms.get('/v1/Messages?pageSize=100');
    expect(listed.body.messages).toHaveLength(2);
  }, 120_000);

  it('takes an ended connection in its stride: the next request succeeds', async () => {
    expect(await pg.terminate()).toBeGreaterThan(0);
    await until(
      async () => (await createUser(`again${Date.now()}`)).status === 200,
      10_000,
      'a write',
    );
    expect((await app.request('GET', '/ready')).status).toBe(200);
  }, 60_000);
});
