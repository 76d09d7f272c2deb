import { ADMIN_TOKEN, TestApp } from '../testing/testApp';
import {
  COMMS_ACCOUNT_ID,
  COMMS_API_KEY,
  COMMS_API_KEY_SECRET,
  COMMS_AUTH_TOKEN,
  COMMS_ENV,
  CommsClient,
  basic,
} from './testing/commsClient';

const { COMMS_BASE_URL: _, ...ENV_WITHOUT_BASE } = COMMS_ENV;
const error = (code: number, context: string | null = null) =>
  expect.objectContaining({
    code,
    message: expect.any(String),
    infoUrl: `https://www.twilio.com/docs/api/errors/${code}`,
    context,
  });

describe('Comms API: auth, validation and errors', () => {
  let app: TestApp;
  let comms: CommsClient;

  beforeAll(async () => {
    app = await TestApp.start(ENV_WITHOUT_BASE);
    comms = new CommsClient(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  const valid = {
    to: [{ address: '+14155550100', channel: 'PHONE' }],
    content: { text: 'Hello' },
  };

  it('answers 401 in the Comms shape to missing or wrong credentials, on every endpoint', async () => {
    const wrong = [
      undefined,
      basic(COMMS_ACCOUNT_ID, 'not-the-token-0123456789'),
      basic('ACother', COMMS_AUTH_TOKEN),
      basic(COMMS_API_KEY, COMMS_AUTH_TOKEN),
      `Bearer ${ADMIN_TOKEN}`,
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ];
    const endpoints: Array<[string, string]> = [
      ['POST', '/v1/Messages'],
      ['GET', '/v1/Messages'],
      ['GET', '/v1/Messages/comms_message_01h9krwprkeee8fzqspvwy6nq8'],
      ['GET', '/v1/Messages/Operations'],
      ['GET', '/v1/Messages/Operations/comms_operation_01h9krwprkeee8fzqspvwy6nq8'],
      ['GET', '/v1/Messages/Seek/SM123'],
    ];
    const before = (await app.allEvents()).length;
    for (const authorization of wrong) {
      for (const [method, path] of endpoints) {
        const res = await app.request(method, path, {
          json: method === 'POST' ? valid : undefined,
          headers: authorization ? { authorization } : {},
        });
        expect({ method, path, authorization, status: res.status, body: res.body }).toEqual({
          method,
          path,
          authorization,
          status: 401,
          body: { errors: [error(20003)] },
        });
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      }
    }
    expect((await app.allEvents()).length).toBe(before);
  });

  it('accepts the API key and its secret as well as the account id and token', async () => {
    const keyed = new CommsClient(app, basic(COMMS_API_KEY, COMMS_API_KEY_SECRET));
    expect((await keyed.get('/v1/Messages')).status).toBe(200);
    expect((await comms.get('/v1/Messages')).status).toBe(200);
  });

  it('reports every bad field with its JSON path and code, and writes nothing', async () => {
    const before = (await app.allEvents()).length;
    const cases: Array<[unknown, unknown[]]> = [
      // The spec's own example pair.
      [
        { to: [{ address: '555', channel: 'PHONE' }], content: { text: 'x'.repeat(1601) } },
        [error(21614, '$.to[0].address'), error(21617, '$.content.text')],
      ],
      [{ content: { text: 'x' } }, [error(21604, '$.to')]],
      [{ to: [], content: { text: 'x' } }, [error(21604, '$.to')]],
      [{ to: valid.to }, [error(21602, '$.content')]],
      [{ to: valid.to, content: {} }, [error(21602, '$.content')]],
      [{ to: valid.to, content: { text: '' } }, [error(70002, '$.content.text')]],
      [
        { to: valid.to, content: { media: [{ url: 'not a url' }] } },
        [error(21620, '$.content.media[0].url')],
      ],
      [
        {
          to: valid.to,
          content: { media: Array.from({ length: 11 }, () => ({ url: 'https://e.com/a.png' })) },
        },
        [error(21623, '$.content.media')],
      ],
      [
        { to: valid.to, content: { contentId: 'HX0123456789abcdef0123456789abcdef' } },
        [error(70002, '$.content.contentId')],
      ],
      [
        { to: [{ address: '+14155550100', channel: 'SMS' }], content: { text: 'x' } },
        [error(70002, '$.to[0].channel')],
      ],
      [
        { to: [{ address: '+14155550100' }], content: { text: 'x' } },
        [error(70002, '$.to[0].channel')],
      ],
      [
        {
          to: [{ address: '+14155550100', channel: 'PHONE', variables: { v: 'x'.repeat(1601) } }],
          content: { text: 'x' },
        },
        [error(70002, '$.to[0].variables')],
      ],
      [
        {
          to: [
            {
              address: '+14155550100',
              channel: 'PHONE',
              variables: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])),
            },
          ],
          content: { text: 'x' },
        },
        [error(70002, '$.to[0].variables')],
      ],
      [
        {
          to: [{ address: '+14155550100', channel: 'PHONE', profileId: 'x' }],
          content: { text: 'x' },
        },
        [
          error(70002, '$.to[0].profileId'),
          error(70002, '$.to[0].memoryStoreId'),
          error(70002, '$.to[0]'),
        ],
      ],
      [
        { to: [{ address: '+14155550100', channel: 'PHONE', extra: 1 }], content: { text: 'x' } },
        [error(70002, '$.to[0].extra')],
      ],
      [
        { to: [{ addresses: [{ address: 'x', channel: 'PHONE' }] }], content: { text: 'x' } },
        [error(21614, '$.to[0].addresses[0].address')],
      ],
      [{ ...valid, from: { address: '555', channel: 'SMS' } }, [error(21212, '$.from.address')]],
      [{ ...valid, from: { senderId: 'comms_sender_x' } }, [error(70002, '$.from.senderId')]],
      [{ ...valid, tags: { 'bad key': 'x' } }, [error(70002, '$.tags')]],
      [
        {
          ...valid,
          tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])),
        },
        [error(70002, '$.tags')],
      ],
      [{ ...valid, tags: { k: 'v'.repeat(257) } }, [error(70002, '$.tags')]],
      [{ ...valid, schedule: { sendAt: ['tomorrow'] } }, [error(70002, '$.schedule.sendAt')]],
      [
        { ...valid, schedule: { sendAt: ['2001-01-01T00:00:00Z'] } },
        [error(70002, '$.schedule.sendAt[0]')],
      ],
      [
        { ...valid, schedule: { sendAt: [new Date(Date.now() + 31 * 86_400_000).toISOString()] } },
        [error(70002, '$.schedule.sendAt[0]')],
      ],
      [{ ...valid, unknown: true }, [error(70002, '$.unknown')]],
      [
        {
          to: Array.from({ length: 10_001 }, () => valid.to[0]),
          content: valid.content,
        },
        [error(70002, '$.to')],
      ],
      [[valid], [error(70002, '$')]],
    ];
    for (const [body, errors] of cases) {
      const res = await comms.request('POST', '/v1/Messages', body);
      expect({
        body: JSON.stringify(body).slice(0, 200),
        status: res.status,
        errors: res.body?.errors,
      }).toEqual({
        body: JSON.stringify(body).slice(0, 200),
        status: 400,
        errors,
      });
    }
    const malformed = await fetch(`${app.running.url}/v1/Messages`, {
      method: 'POST',
      headers: { authorization: comms.authorization, 'content-type': 'application/json' },
      body: '{"to": [',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ errors: [error(70002)] });
    expect((await app.allEvents()).length).toBe(before);
  });

  it('refuses bad list filters and tokens with 400 and the parameter as context', async () => {
    const cases: Array<[string, string]> = [
      ['pageSize=0', '$.pageSize'],
      ['pageSize=1001', '$.pageSize'],
      ['pageSize=ten', '$.pageSize'],
      ['pageSize=1.5', '$.pageSize'],
      ['operationId=comms_message_01h9krwprkeee8fzqspvwy6nq8', '$.operationId'],
      ['sessionId=nope', '$.sessionId'],
      ['profile=mem_profile_x', '$.profile'],
      ['channel=PHONE', '$.channel'],
      ['status=DONE', '$.status'],
      ['status=SENT&status=QUEUED', '$.status'],
      ['tags=region:EMEA', '$.tags'],
      ['tags=a:1;b:2;c:3;d:4;e:5;f:6;g:7;h:8;i:9;j:10;k:11;', '$.tags'],
      ['startDate=yesterday', '$.startDate'],
      ['endDate=2025-06-18', '$.endDate'],
      ['startDate=2025-06-18T12:00:00Z&endDate=2025-06-18T12:00:00Z', '$.endDate'],
      ['startDate=2025-06-18T12:00:00Z&endDate=2025-06-18T11:00:00Z', '$.endDate'],
      ['pageToken=not-a-token', '$.pageToken'],
      ['pageToken=eyJ2IjoxfQ', '$.pageToken'],
    ];
    for (const [query, context] of cases) {
      const res = await comms.get(`/v1/Messages?${query}`);
      expect({ query, status: res.status, errors: res.body.errors }).toEqual({
        query,
        status: 400,
        errors: [error(70002, context)],
      });
    }
    for (const query of ['status=DONE', 'pageSize=0', 'startDate=x', 'pageToken=%25']) {
      const res = await comms.get(`/v1/Messages/Operations?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it('keeps unknown /v1 routes in the Comms shape', async () => {
    const unknown = await comms.get('/v1/Nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: [error(20404)] });
    const wrongMethod = await comms.request('DELETE', '/v1/Messages');
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.errors[0].code).toBe(20404);
  });

  it('derives absolute URLs from the request host when COMMS_BASE_URL is unset', async () => {
    const operationId = await comms.send(valid);
    const res = await comms.get(`/v1/Messages?operationId=${operationId}`);
    const [message] = res.body.messages;
    const host = new URL(app.running.url).host;
    expect(message.related[0].uri).toBe(`http://${host}/v1/Messages/Operations/${operationId}`);

    // Seek's Location is followed with the same credentials, as the spec's sample does.
    const followed = await fetch(`${app.running.url}/v1/Messages/Seek/${message.id}`, {
      headers: { authorization: comms.authorization },
    });
    expect(followed.status).toBe(200);
    expect(((await followed.json()) as { id: string }).id).toBe(message.id);
  });
});

describe('Comms API: rate limit per credential', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start({
      ...COMMS_ENV,
      COMMS_RATE_LIMIT_BURST: '3',
      COMMS_RATE_LIMIT_PER_SEC: '0.25',
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('answers 429 with Retry-After once a credential has used its burst, others unaffected', async () => {
    const account = new CommsClient(app);
    for (let i = 0; i < 3; i++) expect((await account.get('/v1/Messages')).status).toBe(200);
    const limited = await account.get('/v1/Messages');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^[1-4]$/);
    expect(limited.body).toEqual({ errors: [error(20429)] });
    const before = (await app.allEvents()).length;
    const send = await account.request('POST', '/v1/Messages', {
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      content: { text: 'x' },
    });
    expect(send.status).toBe(429);
    expect((await app.allEvents()).length).toBe(before);

    const key = new CommsClient(app, basic(COMMS_API_KEY, COMMS_API_KEY_SECRET));
    expect((await key.get('/v1/Messages')).status).toBe(200);
    // Bad credentials are refused before they can use anyone's budget.
    expect(
      (
        await new CommsClient(app, basic(COMMS_ACCOUNT_ID, 'wrong-token-0123456789')).get(
          '/v1/Messages',
        )
      ).status,
    ).toBe(401);
  });
});

describe('Comms API: without configured credentials', () => {
  it('refuses every call', async () => {
    const app = await TestApp.start();
    try {
      const res = await new CommsClient(app).get('/v1/Messages');
      expect(res.status).toBe(401);
      expect(res.body.errors[0].code).toBe(20003);
    } finally {
      await app.stop();
    }
  });
});
