import { IdGenerator, newUlid, type OutboundEvent } from '@missive/domain';
import { toEventData } from '@missive/command-handling';
import { TestApp } from '../testing/testApp';
import { webhookSignatureOf } from './webhookSignature';

const SECRET = 'webhook-secret-0123456789';
const PATH = '/api/v1/delivery_webhook';
const ids = new IdGenerator(62);

describe('POST /api/v1/delivery_webhook', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start({ WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => app.stop());

  /** A message as the dispatcher leaves it after a successful SMTP attempt. */
  async function sentMessage(providerMessageId?: string): Promise<string> {
    const outboundId = newUlid();
    const at = new Date().toISOString();
    const events: OutboundEvent[] = [
      {
        type: 'OutboundMessageCreated',
        data: {
          outboundId,
          messageId: ids.next(),
          kind: 'conversation_message',
          userId: '1',
          channelId: '1',
          channel: 'email',
          to: 'ann@example.com',
          from: 'notifications@example.com',
          fromName: 'Missive',
          replyTo: null,
          subject: 'Hi',
          body: 'Hello',
          htmlBody: null,
          media: [],
          conversationId: null,
          operationId: null,
          tags: {},
          scheduledFor: null,
          cause: null,
          suppressed: false,
          createdAt: at,
        },
      },
      {
        type: 'OutboundDispatchStarted',
        data: { outboundId, attempt: 1, transport: 'smtp', startedAt: at },
      },
      {
        type: 'OutboundMessageSent',
        data: {
          outboundId,
          attempt: 1,
          transport: 'smtp',
          providerMessageId: providerMessageId ?? `<${outboundId}@missive>`,
          sentAt: at,
        },
      },
    ];
    const ctx = { actorUserId: null, correlationId: 'c', causationId: 'test' };
    await app.store.append(
      `outbound-${outboundId}`,
      events.map((e) => toEventData(e, ctx, new Date())),
    );
    return outboundId;
  }

  // Straight through fetch: the signature must cover the exact bytes sent.
  const send = async (
    body: string,
    options: { secret?: string; timestamp?: number; signature?: string; headers?: object } = {},
  ) => {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const res = await fetch(`${app.running.url}${PATH}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-missive-timestamp': timestamp,
        'x-missive-signature':
          options.signature ?? webhookSignatureOf(options.secret ?? SECRET, timestamp, body),
        ...options.headers,
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const historyOf = async (outboundId: string) => {
    const types: string[] = [];
    for await (const e of app.store.readStream(`outbound-${outboundId}`)) types.push(e.type);
    return types;
  };

  it('records a delivery once, however often the provider retries it', async () => {
    const id = await sentMessage();
    const body = JSON.stringify({ events: [{ messageId: id, event: 'delivered' }] });

    expect(await send(body)).toEqual({ status: 200, body: { received: 1, applied: 1 } });
    expect(await send(body)).toEqual({ status: 200, body: { received: 1, applied: 0 } });

    expect(await historyOf(id)).toEqual([
      'OutboundMessageCreated',
      'OutboundDispatchStarted',
      'OutboundMessageSent',
      'OutboundMessageDelivered',
    ]);
  });

  it('accepts our ids in their SMTP and Comms spellings, and records bounces with their reason', async () => {
    const a = await sentMessage();
    const b = await sentMessage();
    const at = '2026-03-01T10:00:00Z';
    const reply = await send(
      JSON.stringify({
        events: [
          { messageId: `<${a}@missive>`, event: 'bounced', reason: '550 5.1.1 no such user', at },
          { messageId: `comms_message_${b}`, event: 'undelivered', reason: 'handset off' },
        ],
      }),
    );

    expect(reply).toEqual({ status: 200, body: { received: 2, applied: 2 } });
    const bounce = [];
    for await (const e of app.store.readStream(`outbound-${a}`)) bounce.push(e);
    expect(bounce.at(-1)).toMatchObject({
      type: 'OutboundMessageBounced',
      data: { reason: '550 5.1.1 no such user', bouncedAt: '2026-03-01T10:00:00.000Z' },
    });
    expect((await historyOf(b)).at(-1)).toBe('OutboundMessageUndelivered');
  });

  it('finds a message by the provider’s own id once the messages read model has it', async () => {
    const id = await sentMessage('SM0123456789abcdef');
    const body = JSON.stringify({
      events: [{ messageId: 'SM0123456789abcdef', event: 'delivered' }],
    });
    // The read model follows the log: until it has the message, the provider is told 404 and
    // retries, as providers do.
    let reply = await send(body);
    for (let i = 0; reply.status === 404 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      reply = await send(body);
    }

    expect(reply).toEqual({ status: 200, body: { received: 1, applied: 1 } });
    expect((await historyOf(id)).at(-1)).toBe('OutboundMessageDelivered');
  });

  it('refuses a bad or stale signature with 401 and writes nothing', async () => {
    const id = await sentMessage();
    const body = JSON.stringify({ events: [{ messageId: id, event: 'bounced' }] });
    const before = (await app.allEvents()).length;

    for (const reply of [
      await send(body, { secret: 'another-secret-0123456789' }),
      await send(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      await send(body, { signature: 'sha256=00' }),
      await send(body, { headers: { 'x-missive-signature': '' } }),
    ]) {
      expect(reply).toEqual({ status: 401, body: { errors: [{ message: 'Invalid signature' }] } });
    }
    expect((await app.allEvents()).length).toBe(before);
  });

  it('refuses a malformed body with 400 in Canvas’s error shape', async () => {
    const id = await sentMessage();
    const cases: [string, string][] = [
      ['not json', 'the body must be JSON'],
      ['[]', 'the body must be a JSON object with "events"'],
      ['{}', 'events is missing'],
      ['{"events":[]}', 'events must contain at least 1 elements'],
      [
        JSON.stringify({ events: [{ messageId: id, event: 'opened' }] }),
        'events.0.event must be one of the following values: delivered, bounced, undelivered',
      ],
      [
        JSON.stringify({ events: [{ messageId: id, event: 'delivered', at: 'yesterday' }] }),
        'events.0.at must be a valid ISO 8601 date string',
      ],
    ];
    for (const [body, message] of cases) {
      expect(await send(body)).toEqual({ status: 400, body: { errors: [{ message }] } });
    }
  });

  it('answers 404 for an unknown message and applies none of the request', async () => {
    const id = await sentMessage();
    const before = (await app.allEvents()).length;
    const reply = await send(
      JSON.stringify({
        events: [
          { messageId: id, event: 'delivered' },
          { messageId: newUlid(), event: 'delivered' },
        ],
      }),
    );

    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });
    expect((await app.allEvents()).length).toBe(before);
  });

  it('does not exist without WEBHOOK_SECRET', async () => {
    const bare = await TestApp.start();
    try {
      const reply = await bare.request('POST', PATH, { json: { events: [] } });
      expect(reply.status).toBe(404);
    } finally {
      await bare.stop();
    }
  });
});
