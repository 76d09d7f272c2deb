import { createHmac, timingSafeEqual } from 'node:crypto';

/** Reports older or newer than this (clock skew included) are refused: replays expire. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${rawBody}`), as providers send it. */
export function webhookSignatureOf(
  secret: string,
  timestamp: string,
  rawBody: Buffer | string,
): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `sha256=${mac}`;
}

/**
 * Checks `X-Missive-Timestamp` (Unix seconds) and `X-Missive-Signature` against the exact bytes
 * received. Signing the timestamp with the body means a captured report cannot be replayed
 * once it is out of the tolerance window.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  now: Date;
}): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(input.now.getTime() - Number(timestamp) * 1000) > WEBHOOK_TOLERANCE_MS) return false;
  if (!signature || !/^sha256=[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const expected = Buffer.from(webhookSignatureOf(input.secret, timestamp, input.rawBody));
  const given = Buffer.from(signature.trim().toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}
