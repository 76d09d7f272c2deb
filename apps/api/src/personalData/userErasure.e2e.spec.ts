import { randomBytes } from 'node:crypto';
import { ERASED_PLACEHOLDERS } from '@missive/personal-data';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { filesHolding, postgresReadModels } from './testing/storeFiles';

describe.each(['sqlite', 'postgres'] as const)(
  'POST /api/v1/users/:user_id/erasure, read models on %s',
  (dialect) => {
    let app: TestApp;
    let pg: Awaited<ReturnType<typeof postgresReadModels>> | undefined;
    beforeEach(async () => {
      pg = dialect === 'postgres' ? await postgresReadModels('erasure') : undefined;
      // The notifier runs too: its address book and the CommMessages it creates hold copies.
      app = await TestApp.start({ RUN_NOTIFIER: 'true', ...pg?.env });
    });
    afterEach(async () => {
      await app.stop();
      await pg?.drop();
    });

    it('purges the user from every store file and shows placeholders', async () => {
      const marker = randomBytes(8).toString('hex');
      const name = `Name${marker}`;
      const login = `login${marker}`;
      const address = `mail${marker}@example.com`;
      const body = `Body${marker}`;
      const subject = `Subject${marker}`;
      const erased = await app.request('POST', '/api/v1/accounts/self/users', {
        token: ADMIN_TOKEN,
        form: {
          'user[name]': name,
          'pseudonym[unique_id]': login,
          'communication_channel[type]': 'email',
          'communication_channel[address]': address,
          'communication_channel[skip_confirmation]': 'true',
        },
      });
      expect(erased.status).toBe(200);
      const userId: number = erased.body.id;
      const token = await app.request('POST', `/api/v1/users/${userId}/tokens`, {
        token: ADMIN_TOKEN,
      });
      const userToken: string = token.body.visible_token;
      const other = await app.createUser('Other Person', `other${marker}`);
      await app.courseWith(userId, other.id);
      const started = await app.request('POST', '/api/v1/conversations', {
        token: userToken,
        form: { 'recipients[]': String(other.id), subject, body },
      });
      expect(started.status).toBe(201);
      const conversationId: number = started.body[0].id;
      // The reply is mailed to the user: a CommMessage to their address.
      const reply = await app.request(
        'POST',
        `/api/v1/conversations/${conversationId}/add_message`,
        {
          token: other.token,
          form: { body: 'Thanks' },
        },
      );
      expect(reply.status).toBe(200);
      await eventually(async () => {
        const sent = await app.request('GET', `/api/v1/comm_messages?user_id=${userId}`, {
          token: ADMIN_TOKEN,
        });
        return sent.status === 200 && sent.body.length > 0;
      });

      // On SQLite the read models' file holds copies (what erasure purges); on PostgreSQL
      // the data directory holds only the log and the key store, which hold none in clear.
      for (const value of [name, login, address, subject, body]) {
        // The database file, its WAL or both, depending on when SQLite last checkpointed.
        const holding = filesHolding(app.dataDir, value);
        const readModelFiles = holding.filter((file) => file.startsWith('read-models.db'));
        expect([value, holding]).toEqual([value, readModelFiles]);
        expect([value, readModelFiles.length > 0]).toEqual([value, dialect === 'sqlite']);
      }

      // Only site admins may erase; an unknown user is not found.
      const refused = await app.request('POST', `/api/v1/users/${userId}/erasure`, {
        token: other.token,
      });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({
        status: 'unauthorized',
        errors: [{ message: 'user not authorized to perform that action' }],
      });
      const unknown = await app.request('POST', '/api/v1/users/987654321/erasure', {
        token: ADMIN_TOKEN,
      });
      expect(unknown.status).toBe(404);

      const answer = await app.request('POST', `/api/v1/users/${userId}/erasure`, {
        token: ADMIN_TOKEN,
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        context_type: 'User',
        context_id: userId,
        user_id: userId,
        tag: 'user_erasure',
        workflow_state: 'completed',
        completion: 100,
      });
      const polled = await app.request('GET', `/api/v1/progress/${answer.body.id}`, {
        token: ADMIN_TOKEN,
      });
      expect(polled.body).toMatchObject({ id: answer.body.id, workflow_state: 'completed' });

      for (const value of [name, login, address, subject, body]) {
        expect([value, filesHolding(app.dataDir, value)]).toEqual([value, []]);
      }

      // The user's token no longer signs in.
      const me = await app.request('GET', '/api/v1/users/self', { token: userToken });
      expect(me.status).toBe(401);
      const shown = await app.request('GET', `/api/v1/users/${userId}`, { token: ADMIN_TOKEN });
      expect(shown.body).toMatchObject({
        name: ERASED_PLACEHOLDERS.name,
        short_name: ERASED_PLACEHOLDERS.name,
        sortable_name: ERASED_PLACEHOLDERS.name,
        login_id: ERASED_PLACEHOLDERS.loginId,
      });
      const channels = await app.request('GET', `/api/v1/users/${userId}/communication_channels`, {
        token: ADMIN_TOKEN,
      });
      expect(channels.body).toEqual([]);
      const mail = await app.request('GET', `/api/v1/comm_messages?user_id=${userId}`, {
        token: ADMIN_TOKEN,
      });
      expect(mail.body).toEqual([]);
      // The conversation stays for the other participant, with placeholders.
      const kept = await app.request('GET', `/api/v1/conversations/${conversationId}`, {
        token: other.token,
      });
      expect(kept.status).toBe(200);
      const author = kept.body.participants.find((p: { id: number }) => p.id === userId);
      expect(author).toMatchObject({ name: ERASED_PLACEHOLDERS.name });
      const bodies = kept.body.messages.map((m: { body: string }) => m.body);
      expect(bodies).toEqual(['Thanks', ERASED_PLACEHOLDERS.text]);
      expect(kept.body.subject).toBe(ERASED_PLACEHOLDERS.text);

      // A retry answers another completed Progress and appends no second UserErased.
      const again = await app.request('POST', `/api/v1/users/${userId}/erasure`, {
        token: ADMIN_TOKEN,
      });
      expect(again.body).toMatchObject({ workflow_state: 'completed' });
      const erasures = (await app.allEvents()).filter((e) => e.type === 'UserErased');
      expect(erasures).toHaveLength(1);
    });
  },
);

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not met in 10 s');
}
