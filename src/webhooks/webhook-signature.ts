import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: HMAC-SHA256 with the webhook's secret over `<timestamp>.<body>`. */
export const SIGNATURE_HEADER = 'X-Engram-Signature';
/** Unix seconds when the attempt was signed; part of the signed text, so a replayed body fails late. */
export const TIMESTAMP_HEADER = 'X-Engram-Timestamp';

/** A new signing secret: 32 random bytes, shown once when the webhook is created. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver checks: the signature matches (compared in constant time) and the timestamp is
 * within `toleranceS` of `nowS`.
 */
export function verifyWebhookSignature(
  secret: string,
  request: { signature: string | null; timestamp: string | null; body: string },
  nowS: number = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const timestamp = Number(request.timestamp);
  if (request.signature === null || !Number.isInteger(timestamp)) return false;
  if (Math.abs(nowS - timestamp) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, request.body));
  const given = Buffer.from(request.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
