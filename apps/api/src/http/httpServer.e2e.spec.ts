import { connect, type Socket } from 'node:net';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** A raw connection, for what fetch cannot do: trickle, or hold a socket without a request. */
function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket)).on('error', reject);
  });
}

/** Everything the server wrote until it closed the connection. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

/** Writes `chunk` every `everyMs` until the socket closes. */
function trickle(socket: Socket, chunk: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(chunk);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('HTTP server limits, listening address and metrics token', () => {
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    app = await TestApp.start({
      HOST: '127.0.0.1',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
      HTTP_MAX_CONNECTIONS: '3',
      METRICS_TOKEN,
    });
    port = Number(new URL(app.running.url).port);
  });
  afterAll(() => app.stop());

  it('closes connections past HTTP_MAX_CONNECTIONS at once, and serves again below it', async () => {
    const held = await Promise.all([1, 2, 3].map(() => open('127.0.0.1', port)));
    const refused = await open('127.0.0.1', port);
    refused.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await untilClosed(refused)).toBe('');
    held[0]!.destroy();
    await new Promise((resolve) => held[0]!.once('close', resolve));
    const next = await open('127.0.0.1', port);
    const answer = untilClosed(next);
    next.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
    for (const socket of held) socket.destroy();
  });

  it('answers 408 and closes a client trickling its headers past HTTP_HEADERS_TIMEOUT_MS', async () => {
    const socket = await open('127.0.0.1', port);
    const answer = untilClosed(socket);
    socket.write('GET /api/v1/users/self HTTP/1.1\r\nHost: x\r\n');
    // A header line every 200 ms: each arrives well within any idle timeout.
    trickle(socket, 'X-Slow: y\r\n', 200);
    expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 408 and closes a client trickling its body past HTTP_REQUEST_TIMEOUT_MS', async () => {
    const socket = await open('127.0.0.1', port);
    const answer = untilClosed(socket);
    socket.write(
      [
        'POST /api/v1/conversations HTTP/1.1',
        'Host: x',
        `Authorization: Bearer ${ADMIN_TOKEN}`,
        'Content-Type: application/json',
        'Content-Length: 100000',
        '',
        '{"recipients":["1"],"body":"',
      ].join('\r\n'),
    );
    trickle(socket, 'x', 200);
    expect(await answer).toMatch(/^HTTP\/1\.1 408 /);
    // Nothing was written for it.
    const list = await app.request('GET', '/api/v1/conversations', { token: ADMIN_TOKEN });
    expect(list.body).toEqual([]);
  });

  it('listens on HOST only', async () => {
    await expect(open('127.0.0.2', port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('requires METRICS_TOKEN as a bearer token when it is set', async () => {
    const scrape = (authorization?: string) =>
      fetch(`${app.running.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(await none.json()).toEqual({ errors: [{ message: 'Invalid metrics token.' }] });
    expect((await scrape(`Bearer ${METRICS_TOKEN}x`)).status).toBe(401);
    // An access token (the admin's) is not the metrics token.
    expect((await scrape(`Bearer ${ADMIN_TOKEN}`)).status).toBe(401);
    const allowed = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('missive_http_request_duration_seconds');
  });
});

describe('defaults: every interface, /metrics open', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await TestApp.start();
  });
  afterAll(() => app.stop());

  it('listens on 0.0.0.0 and serves /metrics without a token', async () => {
    const port = Number(new URL(app.running.url).port);
    // Another loopback address reaches it only because it listens on every interface.
    const socket = await open('127.0.0.2', port);
    const answer = untilClosed(socket);
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await answer).toMatch(/^HTTP\/1\.1 200 [^]*missive_http_request_duration_seconds/);
  });
});
