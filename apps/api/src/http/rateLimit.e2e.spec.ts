import { request as httpRequest } from 'node:http';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

/** Ruby's Float#to_s, which is how Canvas writes both headers. */
const RUBY_FLOAT = /^-?\d+\.\d+(e[+-]\d{2,})?$/;

interface Withheld {
  /** Sends the body and resolves with the answer. */
  finish(): Promise<{ status: number; text: string }>;
  /** Drops the request unanswered (a failed test must not leave the server waiting on it). */
  cancel(): void;
}

/**
 * Starts a JSON POST and withholds its body, so the request is admitted and holds its pre-flight
 * cost for as long as the test likes. `Expect: 100-continue` makes the server say when it has
 * taken the request in; client and server share this process, so by the time the client hears
 * it the (synchronous) admission has run.
 */
function startWithheld(
  baseUrl: string,
  path: string,
  token: string,
  json: unknown,
): Promise<Withheld> {
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        expect: '100-continue',
      },
    });
    const answer = new Promise<{ status: number; text: string }>((done, fail) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', fail);
    });
    req.on('error', reject);
    req.on('continue', () =>
      resolve({
        finish: () => {
          req.end(body);
          return answer;
        },
        cancel: () => {
          answer.catch(() => undefined);
          req.destroy();
        },
      }),
    );
  });
}

describe('Rate limiting over HTTP', () => {
  describe('with the Canvas defaults', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await TestApp.start();
    });
    afterAll(async () => {
      await app.stop();
    });

    it('reports the cost and the remaining quota on token-authenticated answers', async () => {
      const res = await app.request('GET', '/api/v1/users/self', { token: ADMIN_TOKEN });
      expect(res.status).toBe(200);
      const cost = res.headers.get('x-request-cost');
      const remaining = res.headers.get('x-rate-limit-remaining');
      expect(cost).toMatch(RUBY_FLOAT);
      expect(remaining).toMatch(RUBY_FLOAT);
      expect(Number(cost)).toBeGreaterThanOrEqual(0);
      expect(Number(remaining)).toBeLessThanOrEqual(600);
      // One request at a time never comes near the high-water mark.
      expect(Number(remaining)).toBeGreaterThan(500);
    });

    it('reports them on refusals too, and on requests without a token (keyed by address)', async () => {
      const invalid = await app.request('GET', '/api/v1/users/self', { token: 'not-a-token' });
      expect(invalid.status).toBe(401);
      expect(invalid.headers.get('x-request-cost')).toMatch(RUBY_FLOAT);
      expect(invalid.headers.get('x-rate-limit-remaining')).toMatch(RUBY_FLOAT);
      const anonymous = await app.request('GET', '/api/v1/users/self');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('x-request-cost')).toMatch(RUBY_FLOAT);
      expect(anonymous.headers.get('x-rate-limit-remaining')).toMatch(RUBY_FLOAT);
    });

    it('leaves the health check alone', async () => {
      const res = await app.request('GET', '/health');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-cost')).toBeNull();
      expect(res.headers.get('x-rate-limit-remaining')).toBeNull();
    });
  });

  describe('with a small bucket', () => {
    let app: TestApp;
    let jane: { id: number; token: string };
    let bob: { id: number; token: string };
    beforeAll(async () => {
      // No outflow: two pre-flight costs reach the high-water mark exactly, whatever the timing.
      app = await TestApp.start({
        RATE_LIMIT_HIGH_WATER_MARK: '100',
        RATE_LIMIT_MAXIMUM: '200',
        RATE_LIMIT_OUTFLOW_PER_SEC: '0',
        RATE_LIMIT_UPFRONT_COST: '50',
      });
      jane = await app.createUser('Jane Doe', 'jane');
      bob = await app.createUser('Bob Roe', 'bob');
      await app.courseWith(jane.id, bob.id);
    });
    afterAll(async () => {
      await app.stop();
    });

    it('answers a second parallel request with the plain-text 403 and never runs it', async () => {
      const first = await startWithheld(app.running.url, '/api/v1/conversations', jane.token, {
        recipients: [String(bob.id)],
        body: 'first',
      });
      try {
        const before = (await app.allEvents()).length;

        const throttled = await app.request('POST', '/api/v1/conversations', {
          token: jane.token,
          form: { 'recipients[]': String(bob.id), body: 'second' },
        });
        expect(throttled.status).toBe(403);
        expect(throttled.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(throttled.text).toBe('403 Forbidden (Rate Limit Exceeded)\n');
        expect(throttled.headers.get('x-request-cost')).toBeNull();
        expect(throttled.headers.get('x-rate-limit-remaining')).toMatch(RUBY_FLOAT);
        // Refused: it claims no capacity left, whatever its refund frees afterwards.
        expect(Number(throttled.headers.get('x-rate-limit-remaining'))).toBeLessThanOrEqual(0);
        expect((await app.allEvents()).length).toBe(before);

        // Another token has its own bucket.
        const admin = await app.request('GET', '/api/v1/users/self', { token: ADMIN_TOKEN });
        expect(admin.status).toBe(200);

        // The held request still completes, and ending it refunds its pre-flight cost.
        const answered = await first.finish();
        expect(answered.status).toBe(201);
        expect(JSON.parse(answered.text)[0].last_authored_message).toBe('first');
        const next = await app.request('GET', '/api/v1/users/self', { token: jane.token });
        expect(next.status).toBe(200);
        expect(next.headers.get('x-request-cost')).toMatch(RUBY_FLOAT);
      } finally {
        first.cancel();
      }
    });
  });
});
