import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpProviderTransport } from './httpProviderTransport';
import type { OutgoingMessage } from './transport';

interface Received {
  headers: IncomingMessage['headers'];
  body: unknown;
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    outboundId: '01jabcdefghjkmnpqrstvwxyz0',
    messageId: '1',
    channel: 'phone',
    to: '+14155550100',
    from: '+15005550006',
    fromName: null,
    replyTo: null,
    subject: null,
    body: 'Hello',
    htmlBody: null,
    media: ['https://example.com/cat.png'],
    ...overrides,
  };
}

/** A provider on a free local port that answers whatever the test sets next. */
describe('HTTP provider transport', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answer: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(text) });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    received.length = 0;
  });

  const reply = (status: number, body?: unknown) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  it('posts the message with its reference, callback and credentials, and takes the SID', async () => {
    answer = reply(201, { sid: 'SM0123456789abcdef0123456789abcdef' });
    const transport = new HttpProviderTransport({
      url,
      token: 'provider-secret',
      statusCallbackUrl: 'https://missive.example/v1/Messages/ProviderStatus',
    });

    expect(await transport.send(message({ channel: 'whatsapp' }))).toEqual({
      outcome: 'sent',
      providerMessageId: 'SM0123456789abcdef0123456789abcdef',
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers).toMatchObject({
      authorization: 'Bearer provider-secret',
      'idempotency-key': '01jabcdefghjkmnpqrstvwxyz0',
      'content-type': 'application/json',
    });
    expect(received[0]!.body).toEqual({
      reference: '01jabcdefghjkmnpqrstvwxyz0',
      channel: 'WHATSAPP',
      to: '+14155550100',
      from: '+15005550006',
      text: 'Hello',
      media: ['https://example.com/cat.png'],
      statusCallback: 'https://missive.example/v1/Messages/ProviderStatus',
    });
  });

  it('fails for good on a refusal, with the provider’s code', async () => {
    answer = reply(400, { code: 21211, message: "Invalid 'To' Phone Number" });
    const transport = new HttpProviderTransport({ url });
    expect(await transport.send(message())).toEqual({
      outcome: 'failed',
      transient: false,
      error: { code: '21211', message: "Invalid 'To' Phone Number" },
    });
    expect(received[0]!.headers.authorization).toBeUndefined();
  });

  it('fails for good when a 2xx says failed', async () => {
    answer = reply(200, { sid: 'SMx', status: 'failed', errorCode: '30007' });
    expect(await new HttpProviderTransport({ url }).send(message())).toMatchObject({
      outcome: 'failed',
      transient: false,
      error: { code: '30007' },
    });
  });

  it.each([429, 500, 503, 408])('retries later after a %d', async (status) => {
    answer = reply(status);
    expect(await new HttpProviderTransport({ url }).send(message())).toEqual({
      outcome: 'failed',
      transient: true,
      error: { code: `http_${status}`, message: `provider answered ${status}` },
    });
  });

  it('retries later when the provider is unreachable or too slow', async () => {
    const closed = new HttpProviderTransport({ url: 'http://127.0.0.1:1/messages' });
    expect(await closed.send(message())).toMatchObject({
      outcome: 'failed',
      transient: true,
      error: { code: 'network' },
    });
    answer = () => undefined; // never answers
    const slow = new HttpProviderTransport({ url, timeoutMs: 50 });
    expect(await slow.send(message())).toMatchObject({ outcome: 'failed', transient: true });
  });

  it('refuses a bad URL at construction and channels it does not speak', async () => {
    expect(() => new HttpProviderTransport({ url: 'not a url' })).toThrow();
    expect(
      await new HttpProviderTransport({ url }).send(message({ channel: 'email' })),
    ).toMatchObject({
      outcome: 'failed',
      transient: false,
      error: { code: 'unsupported_channel' },
    });
  });
});
