import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { bytesOf } from './testing/storeFiles';

describe('personal data on disk', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await TestApp.start();
  });
  afterEach(() => app.stop());

  it('keeps names, login ids, addresses, subjects and bodies out of the event log in clear', async () => {
    const marker = randomBytes(8).toString('hex');
    const name = `Name${marker}`;
    const address = `mail${marker}@example.com`;
    const login = `login${marker}`;
    const subject = `Subject${marker}`;
    const body = `Body${marker}`;

    const created = await app.request('POST', '/api/v1/accounts/self/users', {
      token: ADMIN_TOKEN,
      form: {
        'user[name]': name,
        'pseudonym[unique_id]': login,
        'communication_channel[type]': 'email',
        'communication_channel[address]': address,
        'communication_channel[skip_confirmation]': 'true',
      },
    });
    expect(created.status).toBe(200);
    const conversation = await app.request('POST', '/api/v1/conversations', {
      token: ADMIN_TOKEN,
      form: { 'recipients[]': String(created.body.id), subject, body },
    });
    expect(conversation.status).toBe(201);

    // Readers still get every value back.
    const shown = await app.request('GET', `/api/v1/users/${created.body.id}`, {
      token: ADMIN_TOKEN,
    });
    expect(shown.body).toMatchObject({ name, login_id: login });
    const channels = await app.request(
      'GET',
      `/api/v1/users/${created.body.id}/communication_channels`,
      { token: ADMIN_TOKEN },
    );
    expect(channels.body.map((c: { address: string }) => c.address)).toEqual([address]);
    const events = await app.allEvents();
    const added = events.find((e) => e.type === 'MessageAdded')!;
    expect((added.data as { body: string }).body).toBe(body);

    const log = bytesOf(app.dataDir, 'events.db');
    const readModels = bytesOf(app.dataDir, 'read-models.db');
    for (const value of [name, login, address, subject, body]) {
      // The read models hold copies (what erasure purges); the log holds none in clear.
      expect([value, readModels.includes(value)]).toEqual([value, true]);
      expect([value, log.includes(value)]).toEqual([value, false]);
    }
    // Nor in lower case, the form reservations are keyed by.
    expect(log.includes(login.toLowerCase())).toBe(false);
  });

  it('refuses to start on a key store the log was not written with', async () => {
    const dir = app.dataDir;
    await app.stop({ keepData: true });
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'keys.db'), { force: true });
    rmSync(join(dir, 'keys.db-wal'), { force: true });
    rmSync(join(dir, 'keys.db-shm'), { force: true });
    await expect(TestApp.start({}, undefined, dir)).rejects.toThrow(
      /is not the one this event log was written with/,
    );
    app = await TestApp.start();
  });
});
