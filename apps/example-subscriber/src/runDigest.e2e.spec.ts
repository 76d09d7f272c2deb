import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, TestApp } from '../../api/src/testing/testApp';
import { readDigestFile } from './digestFile';
import { FeedRefused } from './followEventFeed';
import { runDigest } from './runDigest';

async function digestUntil(
  app: TestApp,
  file: string,
  done: (snapshot: ReturnType<typeof readDigestFile>) => boolean,
): Promise<void> {
  const controller = new AbortController();
  const running = runDigest({
    baseUrl: app.running.url,
    token: ADMIN_TOKEN,
    digestFile: file,
    signal: controller.signal,
    retryMs: 20,
  });
  for (let i = 0; i < 500 && !done(readDigestFile(file)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  controller.abort();
  await running;
  if (!done(readDigestFile(file))) throw new Error('the digest never caught up');
}

describe('example subscriber over the CloudEvents feed', () => {
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    app = await TestApp.start();
    dir = mkdtempSync(join(tmpdir(), 'missive-digest-'));
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds its digest from the feed and resumes after a restart without repeats', async () => {
    const ada = await app.createUser('Ada', 'ada@example.com');
    const bob = await app.createUser('Bob', 'bob@example.com');
    await app.courseWith(ada.id, bob.id);
    const created = await app.request('POST', '/api/v1/conversations', {
      token: ada.token,
      form: { 'recipients[]': String(bob.id), body: 'Hello Bob' },
    });
    expect(created.status).toBe(201);
    const conversationId = String(created.body[0].id);
    const file = join(dir, 'digest.json');

    await digestUntil(app, file, (s) => s.users[String(bob.id)]?.messagesReceived === 1);
    const first = readDigestFile(file);

    const reply = await app.request('POST', `/api/v1/conversations/${conversationId}/add_message`, {
      token: bob.token,
      form: { body: 'Hi Ada' },
    });
    expect(reply.status).toBe(200);
    await digestUntil(app, file, (s) => s.users[String(ada.id)]?.messagesReceived === 1);

    const second = readDigestFile(file);
    expect(second.users[String(bob.id)]).toEqual({
      messagesReceived: 1,
      conversations: [conversationId],
    });
    expect(second.users[String(ada.id)]).toEqual({
      messagesReceived: 1,
      conversations: [conversationId],
    });
    expect(second.lastEventId).not.toBe(first.lastEventId);
  });

  it('purges what it kept of a user once Missive erases them', async () => {
    const cy = await app.createUser('Cy', 'cy@example.com');
    const di = await app.createUser('Di', 'di@example.com');
    await app.courseWith(cy.id, di.id);
    const created = await app.request('POST', '/api/v1/conversations', {
      token: cy.token,
      form: { 'recipients[]': String(di.id), body: 'Hello Di' },
    });
    expect(created.status).toBe(201);
    const file = join(dir, 'erasure.json');
    await digestUntil(app, file, (s) => s.users[String(di.id)]?.messagesReceived === 1);

    const erasure = await app.request('POST', `/api/v1/users/${di.id}/erasure`, {
      token: ADMIN_TOKEN,
    });
    expect(erasure.status).toBe(200);
    await digestUntil(app, file, (s) => (s.erased ?? []).includes(String(di.id)));
    expect(readDigestFile(file).users[String(di.id)]).toBeUndefined();
  });

  it('is refused with a non-admin token, and says why', async () => {
    const eve = await app.createUser('Eve', 'eve@example.com');
    const controller = new AbortController();
    await expect(
      runDigest({
        baseUrl: app.running.url,
        token: eve.token,
        digestFile: join(dir, 'eve.json'),
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(FeedRefused);
  });
});
