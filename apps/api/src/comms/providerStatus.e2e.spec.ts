import { evolveOutboundMessage, startDispatch } from '@missive/domain';
import { execute, systemContext } from '@missive/command-handling';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProviderTransport } from '@missive/notifications';
import { TestApp } from '../testing/testApp';
import { COMMS_ENV, COMMS_WEBHOOK_TOKEN, CommsClient, eventually } from './testing/commsClient';
import { dispatchThroughSandbox } from './testing/dispatchThroughSandbox';

/**
 * An SMS provider on a local port, speaking the HTTP provider protocol: it accepts each message
 * with a SID, and the test decides when it reports back on the status callback.
 */
class FakeProvider {
  readonly received: Array<{ reference: string; statusCallback: string }> = [];
  private server!: Server;
  private count = 0;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        this.received.push(JSON.parse(text));
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: `SMprovider${String(++this.count).padStart(24, '0')}` }));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/messages`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('Comms provider status webhook', () => {
  let app: TestApp;
  let comms: CommsClient;
  const provider = new FakeProvider();
  let transport: HttpProviderTransport;

  beforeAll(async () => {
    app = await TestApp.start({ ...COMMS_ENV, COMMS_BASE_URL: 'http://placeholder' });
    comms = new CommsClient(app);
    await provider.start();
    transport = new HttpProviderTransport({
      url: provider.url,
      statusCallbackUrl: `${app.running.url}/v1/Messages/ProviderStatus`,
    });
  });
  afterAll(async () => {
    await provider.stop();
    await app.stop();
  });

  /** A message the provider accepted; returns its Comms id and the provider's SID. */
  async function handedOver(): Promise<{ id: string; sid: string; reference: string }> {
    const operationId = await comms.send({
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      content: { text: 'via provider' },
    });
    const [message] = (await comms.get(`/v1/Messages?operationId=${operationId}`)).body.messages;
    await dispatchThroughSandbox(app.store, message.id, transport);
    const sent = await eventually(
      () => comms.get(`/v1/Messages/${message.id}`),
      (r) => r.body.status === 'SENT',
    );
    expect(sent.body.status).toBe('SENT');
    const reference = message.id.replace('comms_message_', '');
    expect(provider.received.at(-1)).toMatchObject({
      reference,
      statusCallback: `${app.running.url}/v1/Messages/ProviderStatus`,
    });
    return {
      id: message.id,
      sid: `SMprovider${String(provider.received.length).padStart(24, '0')}`,
      reference,
    };
  }

  const report = (body: unknown, authorization = `Bearer ${COMMS_WEBHOOK_TOKEN}`) =>
    app.request('POST', '/v1/Messages/ProviderStatus', { json: body, headers: { authorization } });

  const statusOf = (id: string, until: string) =>
    eventually(
      async () => (await comms.get(`/v1/Messages/${id}`)).body,
      (m) => m.status === until,
    );

  it('records delivery reported by reference and SID, once however often it is reported', async () => {
    const { id, sid, reference } = await handedOver();
    expect((await report({ reference, sid, status: 'delivered' })).status).toBe(204);
    expect((await statusOf(id, 'DELIVERED')).status).toBe('DELIVERED');
    const events = (await app.allEvents()).length;
    expect((await report({ reference, sid, status: 'delivered' })).status).toBe(204);
    expect((await report({ reference, sid, status: 'sent' })).status).toBe(204);
    expect((await app.allEvents()).length).toBe(events);
  });

  it('takes Twilio’s classic callback form, found by SID alone', async () => {
    const { id, sid } = await handedOver();
    const res = await app.request('POST', '/v1/Messages/ProviderStatus', {
      form: {
        MessageSid: sid,
        MessageStatus: 'undelivered',
        ErrorCode: '30005',
        AccountSid: 'AC1',
      },
      headers: { authorization: `Bearer ${COMMS_WEBHOOK_TOKEN}` },
    });
    expect(res.status).toBe(204);
    const message = await statusOf(id, 'UNDELIVERED');
    expect(message.attempts[0]).toMatchObject({
      status: 'UNDELIVERED',
      error: { code: 30005, message: 'provider reported undelivered' },
    });
  });

  it('counts a provider failure after acceptance as undelivered', async () => {
    const { id, reference } = await handedOver();
    expect((await report({ reference, status: 'failed', errorCode: 30007 })).status).toBe(204);
    expect((await statusOf(id, 'UNDELIVERED')).attempts[0].error.code).toBe(30007);
  });

  it('fails an attempt the provider reports failed while it is still in flight', async () => {
    const operationId = await comms.send({
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      content: { text: 'in flight' },
    });
    const [message] = (await comms.get(`/v1/Messages?operationId=${operationId}`)).body.messages;
    const reference = message.id.replace('comms_message_', '');
    await execute(
      app.store,
      `outbound-${reference}`,
      evolveOutboundMessage,
      (s) => startDispatch(s, { transport: 'http-provider', startedAt: new Date().toISOString() }),
      systemContext('test'),
    );
    expect((await report({ reference, status: 'failed', errorCode: '21610' })).status).toBe(204);
    expect((await statusOf(message.id, 'FAILED')).attempts[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 21610 },
    });
  });

  it('accepts the Comms Basic credentials too, and refuses anyone else', async () => {
    const { id, reference } = await handedOver();
    expect((await report({ reference, status: 'delivered' }, comms.authorization)).status).toBe(
      204,
    );
    await statusOf(id, 'DELIVERED');
    for (const authorization of ['Bearer wrong-token-0123456789', '']) {
      const res = await report({ reference, status: 'delivered' }, authorization);
      expect(res.status).toBe(401);
      expect(res.body.errors[0].code).toBe(20003);
    }
  });

  it('answers 404 for messages it does not know (so the provider retries) and 400 for bad reports', async () => {
    const { reference } = await handedOver();
    for (const body of [
      { sid: 'SMunknown', status: 'delivered' },
      { reference: '01h9krwprkeee8fzqspvwy6nq8', status: 'delivered' },
      { reference, sid: 'SMsomeoneelse', status: 'delivered' },
    ]) {
      expect((await report(body)).status).toBe(404);
    }
    for (const body of [
      { reference },
      { reference, status: 'lost' },
      { reference: 'x', status: 'sent' },
    ]) {
      const res = await report(body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe(70002);
    }
  });
});
