import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { basic, COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN, COMMS_ENV } from '../comms/testing/commsClient';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/**
 * What clients saw of the HTTP layer when it ran on Express, pinned where no other test does:
 * ETags and conditional GETs, routing that ignores case and a trailing slash, the bodies
 * body-parser read (and refused) and the paths the router cannot decode, each refused in the
 * dialect's shape.
 */
describe('HTTP on the wire', () => {
  let app: TestApp;
  const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const comms = { authorization: basic(COMMS_ACCOUNT_ID, COMMS_AUTH_TOKEN) };
  const send = (path: string, init: RequestInit) => fetch(`${app.running.url}${path}`, init);
  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>(
      (resolve, reject) => {
        httpGet(`${app.running.url}${path}`, { headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        }).on('error', reject);
      },
    );

  beforeAll(async () => {
    app = await TestApp.start(COMMS_ENV);
  });
  afterAll(() => app.stop());

  it('tags every answer with a weak ETag and answers a matching If-None-Match with 304', async () => {
    const first = await send('/api/v1/users/self', { headers: auth });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    // Through node:http: fetch turns a conditional request into a `Cache-Control: no-cache` one.
    const again = await get('/api/v1/users/self', { ...auth, 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers['etag']).toBe(etag);
    expect(again.headers['content-type']).toBeUndefined();
    expect(again.text).toBe('');
    const noCache = await get('/api/v1/users/self', {
      ...auth,
      'if-none-match': etag,
      'cache-control': 'no-cache',
    });
    expect(noCache.status).toBe(200);
    const missing = await send('/api/v1/nope', { headers: auth });
    expect(missing.headers.get('etag')).toMatch(/^W\//);
  });

  it('routes in any case and with a trailing slash', async () => {
    const res = await send('/API/V1/CONVERSATIONS/?per_page=1', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toContain('/API/V1/CONVERSATIONS/?page=1&per_page=1');
  });

  it('reads gzipped JSON and ignores bodies of types it does not parse', async () => {
    const gzipped = await send('/api/v1/accounts/self/users', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(
        JSON.stringify({ user: { name: 'Gz' }, pseudonym: { unique_id: 'gz@example.com' } }),
      ),
    });
    expect(gzipped.status).toBe(200);
    expect(await gzipped.json()).toMatchObject({ name: 'Gz' });
    const corrupt = await send('/api/v1/accounts/self/users', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(corrupt.status).toBe(400);
    expect(await corrupt.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
    });
    const unknown = await send('/api/v1/accounts/self/users', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'compress' },
      body: '{}',
    });
    expect(unknown.status).toBe(415);
    const text = await send('/api/v1/accounts/self/users', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'user[name]=Plain',
    });
    // Unread, so the user has no name: the same refusal as an empty form.
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({
      errors: {
        pseudonym: { unique_id: [{ attribute: 'unique_id', type: 'blank', message: 'blank' }] },
      },
    });
  });

  it('refuses unreadable Canvas bodies with their status in the Canvas shape', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      send('/api/v1/accounts/self/users', {
        method: 'POST',
        headers: { ...auth, ...headers },
        body,
      });
    const scalar = await post({ 'content-type': 'application/json' }, '"just a string"');
    expect(scalar.status).toBe(400);
    expect(await scalar.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
    });
    const large = await post(
      { 'content-type': 'application/json' },
      JSON.stringify({ user: { name: 'x'.repeat(1024 * 1024) } }),
    );
    expect(large.status).toBe(413);
    expect(await large.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'payload_too_large' }],
    });
    const charset = await post({ 'content-type': 'application/json; charset=latin1' }, '{}');
    expect(charset.status).toBe(415);
    expect(await charset.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'unsupported_media_type' }],
    });
  });

  it('takes JSON sends past 1 MB on /v1/Messages and refuses malformed ones in the Comms shape', async () => {
    const large = await send('/v1/Messages', {
      method: 'POST',
      headers: { ...comms, 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(2 * 1024 * 1024) }),
    });
    // Read and validated, not refused for its size.
    expect(large.status).toBe(400);
    expect(await large.json()).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ context: '$.padding' })]),
    });
    const malformed = await send('/v1/Messages', {
      method: 'POST',
      headers: { ...comms, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      errors: [
        {
          code: 70002,
          message: 'The request could not be processed.',
          infoUrl: 'https://www.twilio.com/docs/api/errors/70002',
          context: null,
        },
      ],
    });
  });

  it('refuses a path it cannot decode with a 400 in the dialect, throttled and with its id', async () => {
    const canvas = await send('/api/v1/users/%FF', {
      headers: { ...auth, 'x-request-id': 'bad-1' },
    });
    expect(canvas.status).toBe(400);
    expect(canvas.headers.get('x-request-id')).toBe('bad-1');
    expect(canvas.headers.get('x-rate-limit-remaining')).not.toBeNull();
    expect(await canvas.json()).toEqual({
      errors: [{ message: 'An error occurred.', error_code: 'bad_request' }],
    });
    const twilio = await send('/v1/Messages/%FF', { headers: comms });
    expect(twilio.status).toBe(400);
    expect(await twilio.json()).toMatchObject({ errors: [{ code: 70002 }] });
  });

  it('serves the API description ahead of the throttle', async () => {
    const res = await send('/openapi.json', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit-remaining')).toBeNull();
    expect(res.headers.get('x-request-id')).not.toBeNull();
  });
});
