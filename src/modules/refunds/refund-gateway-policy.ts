import { GatewayUnavailableError } from '../gateways/gateway.errors.js';

/**
 * Gateways whose refund API takes our refund id as an idempotency key (Stripe's Idempotency-Key,
 * PayPal's PayPal-Request-Id): a call whose outcome is unknown may simply be sent again, and the
 * gateway answers with the refund it already made. Paystack and Flutterwave take no such key, so
 * for them a second call could refund twice: see RefundExecutionService.
 */
export const IDEMPOTENT_REFUND_GATEWAYS: ReadonlySet<string> = new Set(['stripe', 'paypal']);

/**
 * How long after a refund was made its idempotency key is trusted to still be known to the
 * gateway. Stripe prunes keys once they are at least 24 hours old (docs.stripe.com/api/
 * idempotent_requests: a key reused after that makes a new request); PayPal stores a
 * PayPal-Request-Id "for a period of time" that depends on the API. Past this, a call whose
 * earlier answer was lost is not sent again: a person looks the refund up.
 */
export const IDEMPOTENCY_KEY_TRUSTED_MS = 20 * 60 * 60 * 1000;

/**
 * Gateways whose refund webhooks may not carry our refund id nor the id their refund API answered
 * (Paystack's documented refund events carry only the transaction reference, the amount and a
 * processor `refund_reference`): their events are matched to our refunds by payment and amount.
 * Stripe and PayPal echo our id (metadata.refund_id, custom_id), so an event of theirs without it
 * is never taken for one of ours.
 */
export const AMOUNT_MATCHED_REFUND_GATEWAYS: ReadonlySet<string> = new Set(['paystack']);

/**
 * True only when the failure proves the gateway never received the request (connection refused,
 * or a 429 "slow down" answer): then sending it again cannot refund twice. Timeouts, cut
 * connections and 5xx answers are ambiguous: the gateway may have made the refund.
 */
export function gatewayNeverReceived(error: unknown): boolean {
  if (!(error instanceof GatewayUnavailableError)) return false;
  return /ECONNREFUSED|answered 429\b/.test(error.message);
}
