import { basic, COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN, COMMS_ENV } from '../comms/testing/commsClient';
import { DELIVERY_WEBHOOK_PATH } from '../deliveryWebhook/deliveryWebhookController';
import { webhookSignatureOf } from '../deliveryWebhook/webhookSignature';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import { MAX_JSON_DEPTH } from './jsonDepth';

/**
 * JSON nested tens of thousands of levels deep once overflowed the stack inside the
 * validation pipes (a 500 on every JSON route); it is refused while the body is read, with the
 * dialect's 400, and nothing is written.
 */
const WEBHOOK_SECRET = 'webhook-secret-0123456789';

describe('deeply nested JSON bodies', () => {
  let app: TestApp;
  const canvas = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const comms = {
    authorization: basic(COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN),
    'content-type': 'application/json',
  };
  const nested = (levels: number) =>
    `{"recipients":${'['.repeat(levels)}"1"${']'.repeat(levels)},"body":"hi"}`;
  const send = (method: string, path: string, headers: Record<string, string>, body: string) =>
    fetch(`${app.running.url}${path}`, { method, headers, body });
  const canvasBadRequest = {
    errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
  };

  beforeAll(async () => {
    app = await TestApp.start({ ...COMMS_ENV, WEBHOOK_SECRET });
  });
  afterAll(() => app.stop());

  it.each([
    ['POST', '/api/v1/conversations'],
    ['PUT', '/api/v1/conversations/1'],
    ['POST', '/api/v1/conversations/1/add_message'],
    ['POST', '/api/v1/users/self/communication_channels'],
    ['PUT', '/api/v1/conversations'],
  ])('%s %s: 50,000 levels is a Canvas 400', async (method, path) => {
    const res = await send(method, path, canvas, nested(50_000));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(canvasBadRequest);
  });

  it('POST /v1/Messages: 50,000 levels, and a 1 MB body of brackets, are Comms 400s', async () => {
    for (const body of [nested(50_000), '['.repeat(1024 * 1024)]) {
      const res = await send('POST', '/v1/Messages', comms, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        errors: [
          {
            code: 70002,
            message: 'The request could not be processed.',
            infoUrl: 'https://www.twilio.com/docs/api/errors/70002',
            context: null,
          },
        ],
      });
    }
  });

  it('refuses one level past the limit, reads the limit itself, and writes nothing', async () => {
    // Brackets inside a string are only text.
    const quoted = `{"recipients":["1"],"body":"${'['.repeat(5000)}\\"${'{'.repeat(5000)}"}`;
    const created = await send('POST', '/api/v1/conversations', canvas, quoted);
    expect(created.status).toBe(201);
    const head = await app.store.headPosition();
    const atLimit = nested(MAX_JSON_DEPTH - 1); // the outer object is one level
    const read = await send('POST', '/api/v1/conversations', canvas, atLimit);
    // Read, then refused by validation (recipients must be strings), not by the parser.
    expect(read.status).toBe(400);
    expect(await read.json()).not.toEqual(canvasBadRequest);
    const past = await send('POST', '/api/v1/conversations', canvas, nested(MAX_JSON_DEPTH));
    expect(past.status).toBe(400);
    expect(await past.json()).toEqual(canvasBadRequest);
    expect(await app.store.headPosition()).toEqual(head);
  });

  it('the delivery webhook refuses deep nesting with its 400', async () => {
    const body = `{"events":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await send(
      'POST',
      DELIVERY_WEBHOOK_PATH,
      {
        'content-type': 'application/json',
        'x-missive-timestamp': timestamp,
        'x-missive-signature': webhookSignatureOf(WEBHOOK_SECRET, timestamp, body),
      },
      body,
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: `the body nests deeper than ${MAX_JSON_DEPTH} levels` }],
    });
  });
});
