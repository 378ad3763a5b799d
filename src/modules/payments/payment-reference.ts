import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const PAYMENT_REFERENCE_PATTERN = /^PAY-\d{14}-[A-Z0-9]{8}$/;

/** `PAY-20260122123456-AB12CD34`: UTC timestamp and 8 random characters; only letters, digits and '-'. */
export function newPaymentReference(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `PAY-${stamp}-${suffix}`;
}
