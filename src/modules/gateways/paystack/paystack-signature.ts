import { createHmac, timingSafeEqual } from 'node:crypto';

/** Paystack signs the raw request body: hex HMAC-SHA512 keyed with the secret key. */
export function paystackSignature(rawBody: Buffer | string, secretKey: string): string {
  return createHmac('sha512', secretKey).update(rawBody).digest('hex');
}

/** Constant-time check of an `x-paystack-signature` header against the raw body. */
export function isValidPaystackSignature(
  rawBody: Buffer,
  header: string | undefined,
  secretKey: string,
): boolean {
  if (!header || !/^[0-9a-f]{128}$/i.test(header.trim())) return false;
  const expected = Buffer.from(paystackSignature(rawBody, secretKey), 'hex');
  const given = Buffer.from(header.trim(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
