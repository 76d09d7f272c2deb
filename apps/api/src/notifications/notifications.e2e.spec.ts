import { IdGenerator } from '@missive/domain';
import { startNotifier, type Notifier } from '@missive/notifications';
import type { SchemalessDb } from '@missive/read-models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startTestSmtpServer,
  type Reception,
  type TestSmtpServer,
} from '../../../../packages/notifications/src/testing/testSmtpServer';
import { webhookSignatureOf } from '../deliveryWebhook/webhookSignature';
import { READ_DB } from '../infrastructure/tokens';
import { ADMIN_TOKEN, CONFIRMATION_SECRET, TestApp } from '../testing/testApp';

const WEBHOOK_SECRET = 'webhook-secret-0123456789';

/** The message's text: quoted-printable (long lines are wrapped) undone. */
function textOf(mail: Reception): string {
  return mail.raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Over HTTP to SMTP: the API takes the message, the notifier (in this process) mails it. */
describe('notifications over HTTP and SMTP', () => {
  let app: TestApp;
  let smtp: TestSmtpServer;
  let notifier: Notifier;
  let dataDir: string;

  beforeAll(async () => {
    app = await TestApp.start({ WEBHOOK_SECRET });
    smtp = await startTestSmtpServer();
    dataDir = mkdtempSync(join(tmpdir(), 'notifications-e2e-'));
    notifier = await startNotifier({
      store: app.store,
      db: app.running.app.get<SchemalessDb>(READ_DB),
      ids: app.running.app.get(IdGenerator),
      confirmationSecret: CONFIRMATION_SECRET,
      dataDir,
      smtpUrl: smtp.url,
      from: 'notifications@missive.test',
      pollIntervalMs: 5,
      deliveryPollIntervalMs: 20,
    });
  });
  afterAll(async () => {
    await notifier.stop();
    await smtp.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function mailTo(address: string, count = 1): Promise<Reception[]> {
    for (let i = 0; i < 2000; i++) {
      const found = smtp.receptions.filter((r) => r.to.includes(address));
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no mail to ${address}`);
  }

  it('mails a new conversation message to the recipient, not to the author', async () => {
    const ann = await app.createUserWithEmail('Ann Author', 'ann@example.com');
    const ben = await app.createUserWithEmail('Ben Baker', 'ben@example.com');
    await app.courseWith(ann.id, ben.id);

    const posted = await app.request('POST', '/api/v1/conversations', {
      token: ann.token,
      form: { 'recipients[]': String(ben.id), subject: 'Lunch', body: 'Noon at the usual place?' },
    });
    expect(posted.status).toBe(201);

    const [mail] = await mailTo('ben@example.com');
    expect(mail!.from).toBe('notifications@missive.test');
    expect(mail!.raw).toMatch(/^Subject: Lunch/m);
    expect(mail!.raw).toMatch(/^From: Missive <notifications@missive.test>/m);
    expect(textOf(mail!)).toContain('Noon at the usual place?');
    expect(textOf(mail!)).toContain('Ann Author wrote this in the conversation "Lunch"');
    expect(smtp.receptions.some((r) => r.to.includes('ann@example.com'))).toBe(false);
  });

  it('mails the code that confirms a new channel', async () => {
    const cy = await app.createUserWithEmail('Cy Cole', 'cy@example.com');
    const added = await app.request('POST', `/api/v1/users/self/communication_channels`, {
      token: cy.token,
      form: {
        'communication_channel[type]': 'email',
        'communication_channel[address]': 'cy.second@example.com',
      },
    });
    expect(added.body.workflow_state).toBe('unconfirmed');

    const [mail] = await mailTo('cy.second@example.com');
    const code = /confirmation code is: ([A-Z0-9]{8})/.exec(textOf(mail!))?.[1];
    expect(code).toBeDefined();
    const confirmed = await app.request(
      'POST',
      `/api/v1/users/self/communication_channels/${added.body.id}/confirm`,
      { token: cy.token, form: { code: code! } },
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.workflow_state).toBe('active');
  });

  it('counts a bounce a provider reports against the channel, and mails it no more', async () => {
    const dee = await app.createUserWithEmail('Dee Doe', 'dee@example.com');
    const eve = await app.createUserWithEmail('Eve East', 'eve@example.com');
    await app.courseWith(dee.id, eve.id);
    const first = await app.request('POST', '/api/v1/conversations', {
      token: dee.token,
      form: { 'recipients[]': String(eve.id), subject: 'One', body: 'first' },
    });
    const [mail] = await mailTo('eve@example.com');

    const body = JSON.stringify({
      events: [{ messageId: mail!.messageId, event: 'bounced', reason: '550 mailbox gone' }],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const reported = await fetch(`${app.running.url}/api/v1/delivery_webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-missive-timestamp': timestamp,
        'x-missive-signature': webhookSignatureOf(WEBHOOK_SECRET, timestamp, body),
      },
      body,
    });
    expect(reported.status).toBe(200);

    let channel;
    for (let i = 0; i < 2000; i++) {
      const list = await app.request('GET', `/api/v1/users/${eve.id}/communication_channels`, {
        token: ADMIN_TOKEN,
      });
      channel = list.body[0];
      if (channel.bounce_count === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // A site admin sees the provider's reason as Canvas's last_bounce_summary; Eve does not.
    expect(channel).toMatchObject({
      address: 'eve@example.com',
      bounce_count: 1,
      last_bounce_summary: '550 mailbox gone',
    });
    const own = await app.request('GET', '/api/v1/users/self/communication_channels', {
      token: eve.token,
    });
    expect(own.body[0]).not.toHaveProperty('last_bounce_summary');

    const reply = await app.request(
      'POST',
      `/api/v1/conversations/${first.body[0].id}/add_message`,
      {
        token: dee.token,
        form: { body: 'second' },
      },
    );
    expect(reply.status).toBe(200);
    // Dee's own copy is not mailed; Eve's is created already bounced and never sent. Mail to
    // someone else after it shows the notifier has moved past it.
    const fay = await app.createUserWithEmail('Fay Fox', 'fay@example.com');
    await app.courseWith(dee.id, fay.id);
    await app.request('POST', '/api/v1/conversations', {
      token: dee.token,
      form: { 'recipients[]': String(fay.id), subject: 'Later', body: 'third' },
    });
    await mailTo('fay@example.com');
    expect(smtp.receptions.filter((r) => r.to.includes('eve@example.com'))).toHaveLength(1);
  });

  it('counts an address the SMTP server refuses (550) against its channel and shows it bounced', async () => {
    const gil = await app.createUserWithEmail('Gil Gray', 'gil@example.com');
    const hal = await app.createUserWithEmail('Hal Hill', 'gone.hal@example.com');
    await app.courseWith(gil.id, hal.id);
    const posted = await app.request('POST', '/api/v1/conversations', {
      token: gil.token,
      form: { 'recipients[]': String(hal.id), subject: 'Hello', body: 'Are you there?' },
    });
    expect(posted.status).toBe(201);

    let channel: { bounce_count: number } | undefined;
    let messages: { workflow_state: string; to: string }[] = [];
    for (let i = 0; i < 2000; i++) {
      const channels = await app.request('GET', `/api/v1/users/${hal.id}/communication_channels`, {
        token: ADMIN_TOKEN,
      });
      channel = channels.body[0];
      const listed = await app.request('GET', `/api/v1/comm_messages?user_id=${hal.id}`, {
        token: ADMIN_TOKEN,
      });
      messages = listed.body;
      if (channel?.bounce_count === 1 && messages[0]?.workflow_state === 'bounced') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(channel).toMatchObject({ address: 'gone.hal@example.com', bounce_count: 1 });
    expect(messages).toEqual([
      expect.objectContaining({ to: 'gone.hal@example.com', workflow_state: 'bounced' }),
    ]);
    expect(smtp.receptions.some((r) => r.to.includes('gone.hal@example.com'))).toBe(false);
  });
});
