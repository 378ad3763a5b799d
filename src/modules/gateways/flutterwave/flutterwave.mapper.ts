import type { GatewayTransferStatus } from '../payout-gateway.interface.js';
import { majorToMinor } from '../../../common/money.js';
import type {
  GatewayPaymentStatus,
  GatewayRefundStatus,
  NormalizedWebhookEvent,
  RefundResult,
  VerifyResult,
} from '../gateway.interface.js';
import { type Json, isObject } from '../gateway-json.js';

/**
 * Pure mapping from Flutterwave v3 payloads to our shapes. Flutterwave speaks MAJOR units
 * (`"amount": 100.5` NGN); amounts are converted with the currency's exponent through
 * `majorToMinor`, which works on the decimal text and never on a float product.
 */

/** Currencies we send to Flutterwave (collection currencies of its v3 hosted checkout). */
export const FLUTTERWAVE_CURRENCIES: readonly string[] = [
  'NGN',
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'GHS',
  'KES',
  'ZAR',
  'UGX',
  'TZS',
  'RWF',
  'XAF',
  'XOF',
  'ZMW',
  'MWK',
  'EGP',
];

function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Exact conversion; an amount with more decimals than the currency allows throws (never rounds). */
function amountOf(value: unknown, currency: string | undefined): number | undefined {
  if (currency === undefined || (typeof value !== 'number' && typeof value !== 'string'))
    return undefined;
  return majorToMinor(value, currency);
}

/** For webhook bodies, whose amount is only informational (processing asks verify). */
function informationalAmount(value: unknown, currency: string | undefined): number | undefined {
  try {
    return amountOf(value, currency);
  } catch {
    return undefined;
  }
}

const PAYMENT_STATUS: Record<string, GatewayPaymentStatus> = {
  successful: 'succeeded',
  succeeded: 'succeeded',
  failed: 'failed',
  error: 'failed',
  pending: 'pending',
  cancelled: 'abandoned',
};

export function mapPaymentStatus(status: unknown): GatewayPaymentStatus {
  return (
    (typeof status === 'string' ? PAYMENT_STATUS[status.toLowerCase()] : undefined) ?? 'pending'
  );
}

/** `data` of a verify response → the gateway's truth about the payment. */
export function mapTransaction(data: Json): VerifyResult {
  const currency = str(data.currency)?.toUpperCase();
  const status = mapPaymentStatus(data.status);
  const id = str(data.id);
  return {
    status,
    reference: str(data.tx_ref),
    amount: amountOf(data.amount, currency),
    currency,
    gatewayPaymentId: id,
    // Refunds are made against the transaction id, so it is also the "charge" to refund later.
    gatewayChargeId: id,
    failureReason: status === 'failed' ? str(data.processor_response) : undefined,
  };
}

const REFUND_STATUS: Record<string, GatewayRefundStatus> = {
  completed: 'succeeded',
  successful: 'succeeded',
  succeeded: 'succeeded',
  failed: 'failed',
  rejected: 'failed',
  pending: 'processing',
  'pending-approval': 'processing',
};

/** `data` of a refund create/fetch response → our refund result. */
export function mapRefund(data: Json): RefundResult {
  const raw = str(data.status)?.toLowerCase();
  const status = (raw ? REFUND_STATUS[raw] : undefined) ?? 'processing';
  return {
    status,
    gatewayRefundId: str(data.id),
    failureReason: status === 'failed' ? (str(data.comments) ?? raw) : undefined,
  };
}

/**
 * A webhook body → the normalized event. Flutterwave sends no event id; ours is derived from the
 * event type, the transaction id and its status, so the same notification is a duplicate while a
 * later status change of the same transaction is a new event.
 */
export function mapFlutterwaveEvent(body: Json): NormalizedWebhookEvent {
  const type = str(body.event) ?? str(body.type);
  const data = isObject(body.data) ? body.data : undefined;
  if (!type || !data) throw new TypeError('Flutterwave webhook without event or data');
  const objectId = str(data.id) ?? str(data.tx_ref) ?? 'unknown';
  const status = str(data.status)?.toLowerCase() ?? 'unknown';
  const base = {
    eventId: `${type}:${objectId}:${status}`,
    type,
    selfAuthenticating: false,
  } as const;

  if (type === 'charge.completed') {
    const currency = str(data.currency)?.toUpperCase();
    return {
      ...base,
      kind: 'payment',
      reference: str(data.tx_ref) ?? str(data.txRef),
      gatewayPaymentId: str(data.id),
      paymentStatus: mapPaymentStatus(data.status),
      amount: informationalAmount(data.amount, currency),
      currency,
    };
  }
  if (type === 'transfer.completed') {
    const status = mapTransferStatus(data.status);
    const currency = str(data.currency)?.toUpperCase();
    return {
      ...base,
      kind: 'payout',
      reference: str(data.reference),
      transferStatus:
        status === 'succeeded' || status === 'failed' || status === 'reversed' ? status : 'pending',
      amount: informationalAmount(data.amount, currency),
      currency,
    };
  }
  return { ...base, kind: 'ignored' };
}

/** v3 transfer statuses: NEW and PENDING are not conclusive; SUCCESSFUL and FAILED are. */
export function mapTransferStatus(status: unknown): GatewayTransferStatus {
  const value = str(status)?.toUpperCase();
  if (value === 'SUCCESSFUL') return 'succeeded';
  if (value === 'FAILED') return 'failed';
  return 'pending';
}
