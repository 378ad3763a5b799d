import { assertMinor } from '../../../common/money.js';
import type {
  GatewayDispute,
  GatewayDisputeStatus,
  NormalizedWebhookEvent,
} from '../gateway.interface.js';
import { type Json, isObject, str } from '../gateway-json.js';

/**
 * Stripe disputes (https://docs.stripe.com/api/disputes/object): the `charge.dispute.*` events
 * carry a Dispute object; what it now is comes from `GET /v1/disputes/:id` (payment_intent
 * expanded, whose metadata holds our reference). Amounts are in the smallest unit already.
 */
export const STRIPE_DISPUTE_EVENTS: readonly string[] = [
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
];

/**
 * Stripe's dispute statuses → ours (https://docs.stripe.com/disputes/how-disputes-work):
 * `*needs_response` open, `*under_review` under review, `won` and `warning_closed` (an inquiry
 * that closed without a chargeback) won, `lost` lost.
 */
export function mapStripeDisputeStatus(status: string): GatewayDisputeStatus {
  switch (status) {
    case 'warning_under_review':
    case 'under_review':
      return 'under_review';
    case 'won':
    case 'warning_closed':
      return 'won';
    case 'lost':
      return 'lost';
    default:
      return 'open';
  }
}

/** A Stripe Dispute object (payment_intent possibly expanded) → the gateway's truth. */
export function mapStripeDispute(dispute: Json): GatewayDispute {
  const id = str(dispute.id);
  if (!id) throw new TypeError('Stripe dispute without an id');
  if (typeof dispute.amount !== 'number') throw new TypeError(`Stripe dispute ${id} has no amount`);
  const currency = str(dispute.currency);
  if (!currency) throw new TypeError(`Stripe dispute ${id} has no currency`);
  const intent = dispute.payment_intent;
  const intentId = isObject(intent) ? str(intent.id) : str(intent);
  const reference =
    isObject(intent) && isObject(intent.metadata) ? str(intent.metadata.reference) : undefined;
  const evidence = isObject(dispute.evidence_details) ? dispute.evidence_details : {};
  const status = str(dispute.status) ?? 'needs_response';
  return {
    gatewayDisputeId: id,
    reference,
    gatewayPaymentId: intentId,
    amount: assertMinor(dispute.amount, 'Stripe dispute amount'),
    currency: currency.toUpperCase(),
    reason: str(dispute.reason) ?? null,
    status: mapStripeDisputeStatus(status),
    gatewayStatus: status,
    dueBy: typeof evidence.due_by === 'number' ? new Date(evidence.due_by * 1000) : null,
  };
}

/** A verified `charge.dispute.*` event → the normalized event. */
export function stripeDisputeEvent(
  base: { eventId: string; type: string; selfAuthenticating: false },
  dispute: Json,
): NormalizedWebhookEvent {
  const disputeId = str(dispute.id);
  if (!disputeId) return { ...base, kind: 'ignored' };
  return { ...base, kind: 'dispute', disputeId };
}
