import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/**
 * The embedded default (`npm start`): the API runs the notifier in its own process and, with
 * no SMTP relay configured, delivers into the sandbox under DATA_DIR, where an operator reads it.
 */
describe('notifier inside the API process (embedded default)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start({ RUN_NOTIFIER: 'true', DELIVERY_POLL_INTERVAL_MS: '20' });
  });
  afterAll(() => app.stop());

  it('delivers a conversation message into the sandbox and lists it in comm_messages', async () => {
    const ann = await app.createUserWithEmail('Ann', 'ann@example.com');
    const ben = await app.createUserWithEmail('Ben', 'ben@example.com');
    await app.courseWith(ann.id, ben.id);
    const posted = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      form: { 'recipients[]': String(ben.id), subject: 'Lunch', body: 'Noon?' },
    });
    expect(posted.status).toBe(201);

    const sandbox = join(app.dataDir, 'sandbox');
    let delivered: string[] = [];
    let listed: { workflow_state: string; to: string; subject: string }[] = [];
    for (let i = 0; i < 500; i++) {
      delivered = existsSync(sandbox)
        ? readdirSync(sandbox).filter((f) => f.endsWith('.json'))
        : [];
      const reply = await app.request('GET', `/api/v1/comm_messages?user_id=${ben.id}`, {
        token: ADMIN_TOKEN,
      });
      listed = reply.body;
      if (delivered.length > 0 && listed[0]?.workflow_state === 'sent') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(sandbox, delivered[0]!), 'utf8'))).toMatchObject({
      to: 'ben@example.com',
      subject: 'Lunch',
    });
    expect(listed).toEqual([
      expect.objectContaining({ workflow_state: 'sent', to: 'ben@example.com', subject: 'Lunch' }),
    ]);
  });
});
