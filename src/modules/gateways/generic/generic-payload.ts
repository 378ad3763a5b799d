import type { Minor } from '../../../common/money.js';

/** The generic gateway's signed webhook body (SPEC §7). */
export interface GenericWebhookPayload {
  /** Our payment reference. */
  transaction_id: string;
  /** The gateway's own id for the payment. */
  payment_id?: string;
  status: 'completed' | 'failed';
  /** Minor units. */
  amount: Minor;
  currency: string;
  metadata?: Record<string, unknown>;
}

/** Checks a parsed body field by field; throws a SyntaxError naming the first bad field. */
export function parseGenericPayload(body: unknown): GenericWebhookPayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SyntaxError('body must be a JSON object');
  const record = body as Record<string, unknown>;
  const { transaction_id, payment_id, status, amount, currency, metadata } = record;
  if (
    typeof transaction_id !== 'string' ||
    transaction_id.length === 0 ||
    transaction_id.length > 255
  ) {
    throw new SyntaxError('transaction_id must be a non-empty string');
  }
  if (payment_id !== undefined && payment_id !== null && typeof payment_id !== 'string') {
    throw new SyntaxError('payment_id must be a string');
  }
  if (status !== 'completed' && status !== 'failed')
    throw new SyntaxError('status must be completed or failed');
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new SyntaxError('amount must be a positive integer in minor units');
  }
  if (typeof currency !== 'string' || !/^[A-Za-z]{3}$/.test(currency))
    throw new SyntaxError('currency must be an ISO-4217 code');
  if (
    metadata !== undefined &&
    metadata !== null &&
    (typeof metadata !== 'object' || Array.isArray(metadata))
  ) {
    throw new SyntaxError('metadata must be an object');
  }
  return {
    transaction_id,
    payment_id: typeof payment_id === 'string' ? payment_id : undefined,
    status,
    amount,
    currency: currency.toUpperCase(),
    metadata: (metadata as Record<string, unknown> | undefined) ?? undefined,
  };
}
