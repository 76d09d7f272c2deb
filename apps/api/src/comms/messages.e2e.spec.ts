import { sandboxMessageSid } from '@missive/notifications';
import { TestApp } from '../testing/testApp';
import { COMMS_ENV, CommsClient, eventually, type Json } from './testing/commsClient';
import { dispatchThroughSandbox } from './testing/dispatchThroughSandbox';

const BASE = COMMS_ENV.COMMS_BASE_URL;
const ID = /^comms_message_[0-7][a-hjkmnpqrstv-z0-9]{25}$/;
const OP_ID = /^comms_operation_[0-7][a-hjkmnpqrstv-z0-9]{25}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('Comms Messages: send, fetch, operations, seek', () => {
  let app: TestApp;
  let comms: CommsClient;

  beforeAll(async () => {
    app = await TestApp.start(COMMS_ENV);
    comms = new CommsClient(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  const messagesOf = async (operationId: string) =>
    (await comms.get(`/v1/Messages?operationId=${operationId}&pageSize=1000`)).body
      .messages as Json[];

  it('accepts a send with 202, Location and the operation, whose messages the next GET shows', async () => {
    const res = await comms.request('POST', '/v1/Messages', {
      to: [
        { address: '+14155550100', channel: 'PHONE' },
        { address: '+14155550101', channel: 'WHATSAPP' },
      ],
      content: { text: 'Your order shipped', media: [{ url: 'https://example.com/box.png' }] },
      tags: { campaign: 'spring', region: 'EMEA' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      operationId: expect.stringMatching(OP_ID),
      operationLocation: `${BASE}/v1/Messages/Operations/${res.body.operationId}`,
    });
    expect(res.headers.get('location')).toBe(res.body.operationLocation);

    const operation = await comms.get(`/v1/Messages/Operations/${res.body.operationId}`);
    expect(operation.status).toBe(200);
    expect(operation.body).toEqual({
      id: res.body.operationId,
      status: 'COMPLETED',
      stats: {
        total: 2,
        recipients: 2,
        attempts: 0,
        unaddressable: 0,
        queued: 2,
        sent: 0,
        scheduled: 0,
        delivered: 0,
        read: 0,
        undelivered: 0,
        failed: 0,
        canceled: 0,
      },
      createdAt: expect.stringMatching(TIME),
      updatedAt: expect.stringMatching(TIME),
    });

    const listed = await messagesOf(res.body.operationId);
    expect(listed).toHaveLength(2);
    const phone = listed.find((m) => m.to[0].channel === 'PHONE')!;
    expect(phone).toEqual({
      id: expect.stringMatching(ID),
      from: { address: '+15005550006', channel: 'SMS' },
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      status: 'QUEUED',
      related: [
        {
          name: 'OPERATION',
          id: res.body.operationId,
          uri: `${BASE}/v1/Messages/Operations/${res.body.operationId}`,
        },
      ],
      tags: { campaign: 'spring', region: 'EMEA' },
      scheduledFor: null,
      createdAt: operation.body.createdAt,
      updatedAt: operation.body.createdAt,
      deletedAt: null,
    });
    expect(listed.find((m) => m.to[0].channel === 'WHATSAPP')!.from).toEqual({
      address: '+15005550006',
      channel: 'WHATSAPP',
    });

    const fetched = await comms.get(`/v1/Messages/${phone.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual({
      ...phone,
      content: { text: 'Your order shipped', media: [{ url: 'https://example.com/box.png' }] },
      attempts: [],
    });
  });

  it('records each attempt and moves through QUEUED, SENT, DELIVERED | UNDELIVERED | FAILED', async () => {
    const operationId = await comms.send({
      to: [
        { address: '+14155550110', channel: 'PHONE' }, // delivered
        { address: '+15005550011', channel: 'PHONE' }, // sent, then undelivered (30003)
        { address: '+15005550001', channel: 'WHATSAPP' }, // invalid number: failed (21211)
        { address: '+15005550010', channel: 'PHONE' }, // sent, no receipt
      ],
      content: { text: 'Status check' },
    });
    const sent = await messagesOf(operationId);
    for (const message of sent) await dispatchThroughSandbox(app.store, message.id);

    const byAddress = async () => {
      const all = await messagesOf(operationId);
      return Object.fromEntries(all.map((m) => [m.to[0].address, m.status]));
    };
    const fates = {
      '+14155550110': 'DELIVERED',
      '+15005550011': 'UNDELIVERED',
      '+15005550001': 'FAILED',
      '+15005550010': 'SENT',
    };
    // The dispatch is done; its last events may still be on their way into the read model.
    const settled = (s: Record<string, string>) =>
      Object.entries(fates).every(([address, status]) => s[address] === status);
    expect(await eventually(byAddress, settled)).toEqual(fates);

    const failed = sent.find((m) => m.to[0].address === '+15005550001')!;
    const fetched = await comms.get(`/v1/Messages/${failed.id}`);
    expect(fetched.body.status).toBe('FAILED');
    expect(fetched.body.attempts).toEqual([
      {
        from: { address: '+15005550006', channel: 'WHATSAPP' },
        to: { address: '+15005550001', channel: 'WHATSAPP' },
        status: 'FAILED',
        attemptedAt: expect.stringMatching(TIME),
        infoUrl: 'https://www.twilio.com/docs/api/errors/21211',
        error: {
          code: 21211,
          message: "Invalid 'To' Phone Number",
          infoUrl: 'https://www.twilio.com/docs/api/errors/21211',
          context: null,
        },
      },
    ]);
    const undelivered = sent.find((m) => m.to[0].address === '+15005550011')!;
    expect((await comms.get(`/v1/Messages/${undelivered.id}`)).body.attempts).toEqual([
      expect.objectContaining({
        status: 'UNDELIVERED',
        error: expect.objectContaining({ code: 30003 }),
      }),
    ]);

    const stats = (await comms.get(`/v1/Messages/Operations/${operationId}`)).body.stats;
    expect(stats).toMatchObject({
      total: 4,
      attempts: 4,
      queued: 0,
      sent: 1,
      delivered: 1,
      undelivered: 1,
      failed: 1,
    });
  });

  it('seeks a message by its provider SID (or its own id) with a 301, and 404s the rest', async () => {
    const operationId = await comms.send({
      to: [{ address: '+14155550120', channel: 'PHONE' }],
      content: { text: 'Find me' },
    });
    const [message] = await messagesOf(operationId);
    await dispatchThroughSandbox(app.store, message!.id);
    const sid = sandboxMessageSid(message!.id.replace('comms_message_', ''), false);

    const seek = await eventually(
      () => comms.seek(sid),
      (r) => r.status !== 404,
    );
    expect(seek).toEqual({
      status: 301,
      location: `${BASE}/v1/Messages/${message!.id}`,
      body: null,
    });
    expect((await comms.seek(message!.id)).location).toBe(`${BASE}/v1/Messages/${message!.id}`);
    for (const unknown of [
      'SM00000000000000000000000000000000',
      'comms_message_01h9krwprkeee8fzqspvwy6nq8',
    ]) {
      const missing = await comms.seek(unknown);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        errors: [
          {
            code: 20404,
            message: 'The resource was not found.',
            infoUrl: 'https://www.twilio.com/docs/api/errors/20404',
            context: null,
          },
        ],
      });
    }
  });

  it('404s unknown and malformed message and operation ids', async () => {
    for (const path of [
      '/v1/Messages/comms_message_01h9krwprkeee8fzqspvwy6nq8',
      '/v1/Messages/comms_message_nope',
      '/v1/Messages/42',
      '/v1/Messages/Operations/comms_operation_01h9krwprkeee8fzqspvwy6nq8',
      '/v1/Messages/Operations/comms_message_01h9krwprkeee8fzqspvwy6nq8',
      '/v1/Messages/a/b/c',
    ]) {
      const res = await comms.get(path);
      expect({ path, status: res.status, code: res.body.errors[0].code }).toEqual({
        path,
        status: 404,
        code: 20404,
      });
    }
  });

  it('counts recipients no sender can reach as unaddressable: no message, no attempt', async () => {
    const operationId = await comms.send({
      from: { address: '+14155550999', channel: 'SMS' },
      to: [
        { address: '+14155550130', channel: 'PHONE' },
        { address: '+14155550131', channel: 'WHATSAPP' }, // an SMS sender cannot reach it
        {
          profileId: 'mem_profile_01h9krwprkeee8fzqspvwy6nq7',
          memoryStoreId: 'mem_store_00000000000000000000000000',
        },
        {
          addresses: [
            { address: '+14155550132', channel: 'WHATSAPP' },
            { address: '+14155550133', channel: 'PHONE' },
          ],
        },
      ],
      content: { text: 'Hi' },
    });
    const messages = await messagesOf(operationId);
    expect(messages.map((m) => m.to[0].address).sort()).toEqual(['+14155550130', '+14155550133']);
    expect(messages.every((m) => m.from.address === '+14155550999')).toBe(true);
    expect((await comms.get(`/v1/Messages/Operations/${operationId}`)).body).toMatchObject({
      status: 'COMPLETED',
      stats: { total: 4, recipients: 4, unaddressable: 2, queued: 2, attempts: 0 },
    });

    const rcs = await comms.send({
      from: { address: '+14155550999', channel: 'RCS' },
      to: [{ address: '+14155550134', channel: 'PHONE' }],
      content: { text: 'Hi' },
    });
    expect((await comms.get(`/v1/Messages/Operations/${rcs}`)).body).toMatchObject({
      status: 'COMPLETED',
      stats: { total: 1, unaddressable: 1, attempts: 0, queued: 0 },
    });
  });

  it('fills recipient variables into the text', async () => {
    const operationId = await comms.send({
      to: [
        { address: '+14155550140', channel: 'PHONE', variables: { firstName: 'Ada' } },
        { address: '+14155550141', channel: 'PHONE' },
      ],
      content: { text: 'Hi {{ firstName }}, {{other}}' },
    });
    const messages = await messagesOf(operationId);
    const texts = await Promise.all(
      messages.map(async (m) => (await comms.get(`/v1/Messages/${m.id}`)).body.content.text),
    );
    expect(texts.sort()).toEqual(['Hi Ada, {{other}}', 'Hi {{ firstName }}, {{other}}']);
  });

  it('schedules: SCHEDULED messages with scheduledFor, and a SCHEDULED operation', async () => {
    const sendAt = new Date(Date.now() + 3 * 86_400_000);
    sendAt.setUTCMilliseconds(0);
    const operationId = await comms.send({
      to: [{ address: '+14155550150', channel: 'PHONE' }],
      content: { text: 'Later' },
      schedule: { sendAt: [sendAt.toISOString(), '2099-01-01T00:00:00Z'] },
    });
    const [message] = await messagesOf(operationId);
    expect(message).toMatchObject({
      status: 'SCHEDULED',
      scheduledFor: sendAt.toISOString().replace('.000Z', 'Z'),
    });
    expect((await comms.get(`/v1/Messages/Operations/${operationId}`)).body).toMatchObject({
      status: 'SCHEDULED',
      stats: { scheduled: 1, queued: 0 },
    });
  });

  it('takes sends of 10,000 recipients', async () => {
    const to = Array.from({ length: 10_000 }, (_, i) => ({
      address: `+1415${String(i).padStart(7, '0')}`,
      channel: 'PHONE',
    }));
    const operationId = await comms.send({ to, content: { text: 'Bulk' } });
    expect((await comms.get(`/v1/Messages/Operations/${operationId}`)).body.stats).toMatchObject({
      total: 10_000,
      recipients: 10_000,
      queued: 10_000,
    });
  });

  it('takes sends of 10,000 recipients whose variables outgrow one append', async () => {
    // About 2.5 MB of messages: over the 1 MiB an append may carry (EventStoreDB's default,
    // enforced by the embedded store too), so they are written in parts before the operation.
    const note = (i: number) => `${i}/${'x'.repeat(200)}`;
    const to = Array.from({ length: 10_000 }, (_, i) => ({
      address: `+1416${String(i).padStart(7, '0')}`,
      channel: 'PHONE',
      variables: { note: note(i) },
    }));
    const operationId = await comms.send({ to, content: { text: 'Re: {{ note }}' } });
    expect((await comms.get(`/v1/Messages/Operations/${operationId}`)).body.stats).toMatchObject({
      total: 10_000,
      recipients: 10_000,
      queued: 10_000,
    });
    const messages = await messagesOf(operationId);
    expect(messages.length).toBeGreaterThanOrEqual(50);
    for (const m of messages.slice(0, 50)) {
      const message = (await comms.get(`/v1/Messages/${m.id}`)).body;
      const index = Number(String(message.to[0].address).slice(5));
      expect(message.content.text).toBe(`Re: ${note(index)}`);
    }
  });
});
