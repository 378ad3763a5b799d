import type {
  GatewayDispute,
  GatewayDisputeStatus,
  NormalizedWebhookEvent,
} from '../gateway.interface.js';
import { majorToMinor } from '../../../common/money.js';
import { type Json, isObject, str } from '../gateway-json.js';

/**
 * PayPal disputes (https://developer.paypal.com/api/customer-disputes/v1/): the
 * `CUSTOMER.DISPUTE.*` events carry the dispute as `resource`; what it now is comes from
 * `GET /v1/customer/disputes/{id}`. The disputed capture is `seller_transaction_id`, and our
 * reference travels as the purchase unit's custom_id (`custom`) and invoice_id (`invoice_number`).
 */
export const PAYPAL_DISPUTE_EVENTS: readonly string[] = [
  'CUSTOMER.DISPUTE.CREATED',
  'CUSTOMER.DISPUTE.UPDATED',
  'CUSTOMER.DISPUTE.RESOLVED',
];

/**
 * PayPal's status and outcome → ours. Resolved for the buyer (or the merchant accepted the claim)
 * is lost; for the seller, cancelled by the buyer, denied, or paid out by PayPal itself is won.
 */
export function mapPayPalDisputeStatus(
  status: string,
  outcome: string | undefined,
): GatewayDisputeStatus {
  if (status === 'RESOLVED') {
    return outcome === 'RESOLVED_BUYER_FAVOUR' || outcome === 'ACCEPTED' ? 'lost' : 'won';
  }
  if (status === 'UNDER_REVIEW') return 'under_review';
  return 'open';
}

/** A PayPal dispute (GET /v1/customer/disputes/{id}) → the gateway's truth about it. */
export function mapPayPalDispute(dispute: Json): GatewayDispute {
  const id = str(dispute.dispute_id);
  if (!id) throw new TypeError('PayPal dispute without a dispute_id');
  const money = isObject(dispute.dispute_amount) ? dispute.dispute_amount : {};
  const currency = str(money.currency_code)?.toUpperCase();
  const value = str(money.value);
  if (!currency || !value) throw new TypeError(`PayPal dispute ${id} has no dispute_amount`);
  const amount = majorToMinor(value, currency);
  const transaction =
    (Array.isArray(dispute.disputed_transactions)
      ? dispute.disputed_transactions.find(isObject)
      : undefined) ?? {};
  const outcome = isObject(dispute.dispute_outcome)
    ? str(dispute.dispute_outcome.outcome_code)
    : undefined;
  const status = str(dispute.status) ?? 'OPEN';
  const due = str(dispute.seller_response_due_date);
  return {
    gatewayDisputeId: id,
    reference: str(transaction.custom) ?? str(transaction.invoice_number),
    gatewayPaymentId: str(transaction.seller_transaction_id),
    amount,
    currency,
    reason: str(dispute.reason) ?? null,
    status: mapPayPalDisputeStatus(status, outcome),
    gatewayStatus: outcome ? `${status}:${outcome}` : status,
    dueBy: due && !Number.isNaN(Date.parse(due)) ? new Date(due) : null,
  };
}

/** A verified `CUSTOMER.DISPUTE.*` event → the normalized event. */
export function paypalDisputeEvent(
  base: { eventId: string; type: string; selfAuthenticating: false },
  resource: Json,
): NormalizedWebhookEvent {
  const disputeId = str(resource.dispute_id);
  if (!disputeId) return { ...base, kind: 'ignored' };
  return { ...base, kind: 'dispute', disputeId };
}
