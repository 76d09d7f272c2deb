import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookSignatureOf } from './webhookSignature';

describe('webhook signatures', () => {
  const secret = 'w'.repeat(32);
  const body = Buffer.from('{"events":[]}');
  const now = new Date('2026-03-01T10:00:00Z');
  const timestamp = String(now.getTime() / 1000);

  it('is HMAC-SHA256 over "<timestamp>.<raw body>", hex, prefixed sha256=', () => {
    const mac = createHmac('sha256', secret).update(`${timestamp}.{"events":[]}`).digest('hex');
    expect(webhookSignatureOf(secret, timestamp, body)).toBe(`sha256=${mac}`);
  });

  it('accepts the right signature within five minutes either way', () => {
    const signature = webhookSignatureOf(secret, timestamp, body);
    for (const skewMs of [0, 300_000, -300_000]) {
      const at = new Date(now.getTime() + skewMs);
      expect(verifyWebhookSignature({ secret, timestamp, signature, rawBody: body, now: at })).toBe(
        true,
      );
    }
    expect(
      verifyWebhookSignature({
        secret,
        timestamp,
        signature: signature.toUpperCase().replace('SHA256=', 'sha256='),
        rawBody: body,
        now,
      }),
    ).toBe(true);
  });

  it('refuses another body, secret or time, a stale timestamp and malformed headers', () => {
    const signature = webhookSignatureOf(secret, timestamp, body);
    const check = (input: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret, timestamp, signature, rawBody: body, now, ...input });
    expect(check({ rawBody: Buffer.from('{"events":[1]}') })).toBe(false);
    expect(check({ secret: 'x'.repeat(32) })).toBe(false);
    expect(check({ now: new Date(now.getTime() + 300_001) })).toBe(false);
    expect(check({ timestamp: String(Number(timestamp) + 1) })).toBe(false);
    expect(check({ timestamp: undefined })).toBe(false);
    expect(check({ timestamp: '1e9' })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ signature: signature.slice('sha256='.length) })).toBe(false);
  });
});
