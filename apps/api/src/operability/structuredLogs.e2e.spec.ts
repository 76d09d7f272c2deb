import { PassThrough } from 'node:stream';
import { ADMIN_TOKEN, TestApp } from '../testing/testApp';

describe('structured logs', () => {
  it('writes one JSON line per request with the request id, user and status, never the token', async () => {
    const lines: Record<string, unknown>[] = [];
    let pending = '';
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete.filter(Boolean)) lines.push(JSON.parse(line));
    });
    const app = await TestApp.start({ LOG_LEVEL: 'info' }, stream);
    try {
      const reply = await app.request('GET', '/api/v1/users/self', {
        token: ADMIN_TOKEN,
        headers: { 'x-request-id': 'req-log-0001' },
      });
      expect(reply.status).toBe(200);
      // The line is written when the response finishes, which may be after the client has it.
      const find = () =>
        lines.find((l) => (l['req'] as { id?: string } | undefined)?.id === 'req-log-0001');
      for (let i = 0; i < 200 && !find(); i++) await new Promise((r) => setTimeout(r, 10));
      const line = find();
      expect(line).toMatchObject({
        level: 30,
        msg: 'request completed',
        correlationId: 'req-log-0001',
        userId: '1',
        res: { statusCode: 200 },
      });
      expect(JSON.stringify(lines)).not.toContain(ADMIN_TOKEN);
    } finally {
      await app.stop();
    }
  });
});
