import { assertMinor } from '../../../common/money.js';
import { STRIPE_DISPUTE_EVENTS, stripeDisputeEvent } from './stripe-disputes.js';
import type {
  GatewayPaymentStatus,
  GatewayRefundStatus,
  NormalizedWebhookEvent,
  RefundResult,
  VerifyResult,
} from '../gateway.interface.js';
import { type Json, isObject, str } from '../gateway-json.js';

/**
 * Pure mapping from Stripe objects (as Stripe serializes them) to our normalized shapes. Kept
 * free of the SDK's classes so it can be tested on recorded payloads.
 *
 * Stripe amounts are already integers in the currency's smallest unit. We only accept currencies
 * whose Stripe unit is the same as our ISO-4217 minor unit (see STRIPE_CURRENCIES), so the
 * integer passes through unchanged. Stripe lowercases currency codes; we use upper case.
 */

/**
 * Currencies we let through to Stripe: Stripe's minor unit equals our `currencyExponent` for all
 * of them and Stripe puts no extra rounding rule on them. Left out on purpose: HUF, TWD and ISK
 * (Stripe wants whole units in a two-decimal field), MGA (zero-decimal at Stripe, two in ISO),
 * and the three-decimal BHD/JOD/KWD/OMR/TND (Stripe requires the last digit to be 0).
 */
export const STRIPE_CURRENCIES: readonly string[] = [
  'AED',
  'AUD',
  'BGN',
  'BRL',
  'CAD',
  'CHF',
  'CLP',
  'CZK',
  'DKK',
  'EGP',
  'EUR',
  'GBP',
  'GHS',
  'HKD',
  'ILS',
  'INR',
  'JPY',
  'KES',
  'KRW',
  'MAD',
  'MXN',
  'MYR',
  'NGN',
  'NOK',
  'NZD',
  'PHP',
  'PLN',
  'RON',
  'RWF',
  'SAR',
  'SEK',
  'SGD',
  'THB',
  'TRY',
  'UGX',
  'USD',
  'VND',
  'XAF',
  'XOF',
  'ZAR',
];

function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return str(value);
  if (isObject(value)) return str(value.id);
  return undefined;
}

function metadataValue(object: Json, key: string): string | undefined {
  return isObject(object.metadata) ? str(object.metadata[key]) : undefined;
}

function minorOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? assertMinor(value, 'Stripe amount') : undefined;
}

function upperCurrency(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toUpperCase() : undefined;
}

/**
 * A PaymentIntent with `capture_method=manual` → the gateway's truth (docs.stripe.com/payments/
 * place-a-hold-on-a-payment-method): `requires_capture` holds `amount_capturable`; once captured
 * it is `succeeded` for `amount_received` (what the capture took, the rest released); `canceled`
 * when we voided it or Stripe let the hold expire (cancellation_reason `automatic`). Undefined for
 * the states before an authorization, which the Checkout Session describes.
 */
export function mapManualPaymentIntent(
  intent: Json,
  reference: string | undefined,
): VerifyResult | undefined {
  const base = {
    reference: reference ?? metadataValue(intent, 'reference'),
    currency: upperCurrency(intent.currency),
    gatewayChargeId: str(intent.id),
  };
  switch (str(intent.status) ?? '') {
    case 'requires_capture':
      return { ...base, status: 'authorized', amount: minorOrUndefined(intent.amount_capturable) };
    case 'succeeded':
      return { ...base, status: 'succeeded', amount: minorOrUndefined(intent.amount_received) };
    case 'canceled':
      return {
        ...base,
        status: 'canceled',
        amount: minorOrUndefined(intent.amount),
        failureReason: `canceled (${str(intent.cancellation_reason) ?? 'no reason given'})`,
      };
    default:
      return undefined;
  }
}

/** A Checkout Session (payment_intent possibly expanded) → the gateway's truth about our payment. */
export function mapCheckoutSession(session: Json): VerifyResult {
  const intent = isObject(session.payment_intent) ? session.payment_intent : undefined;
  if (intent && str(intent.capture_method) === 'manual') {
    const reference = str(session.client_reference_id) ?? metadataValue(session, 'reference');
    const manual = mapManualPaymentIntent(intent, reference);
    if (manual) return { ...manual, gatewayPaymentId: str(session.id) };
  }
  const lastError =
    intent && isObject(intent.last_payment_error) ? intent.last_payment_error : undefined;
  const failureReason = lastError ? (str(lastError.message) ?? str(lastError.code)) : undefined;
  return {
    status: checkoutSessionStatus(session, intent, lastError !== undefined),
    reference: str(session.client_reference_id) ?? metadataValue(session, 'reference'),
    amount: minorOrUndefined(session.amount_total),
    currency: upperCurrency(session.currency),
    gatewayPaymentId: str(session.id),
    gatewayChargeId: idOf(session.payment_intent),
    failureReason,
  };
}

function checkoutSessionStatus(
  session: Json,
  intent: Json | undefined,
  hadFailedAttempt: boolean,
): GatewayPaymentStatus {
  const status = str(session.status);
  const paymentStatus = str(session.payment_status);
  if (paymentStatus === 'paid') return 'succeeded';
  if (status === 'expired') {
    // An expired session can never be paid. A declined attempt makes it a failure; a payer who
    // simply never paid abandoned it.
    return hadFailedAttempt || str(intent?.status) === 'canceled' ? 'failed' : 'abandoned';
  }
  // 'open', or 'complete' with an asynchronous method (bank debit) still settling: not final yet.
  return 'pending';
}

const REFUND_STATUS: Record<string, GatewayRefundStatus> = {
  pending: 'processing',
  requires_action: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'failed',
};

export function mapRefundStatus(status: unknown): GatewayRefundStatus {
  return (typeof status === 'string' ? REFUND_STATUS[status] : undefined) ?? 'processing';
}

/** A Stripe Refund object → our refund result. */
export function mapRefund(refund: Json): RefundResult {
  return {
    status: mapRefundStatus(refund.status),
    gatewayRefundId: str(refund.id),
    failureReason: str(refund.failure_reason),
  };
}

/** Events that move a payment or refund; everything else is stored and ignored. */
export const STRIPE_HANDLED_EVENTS: readonly string[] = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.amount_capturable_updated',
  'payment_intent.canceled',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'refund.updated',
  'refund.failed',
];

/** A verified Stripe event (its JSON body) → the normalized event. */
export function mapStripeEvent(event: Json): NormalizedWebhookEvent {
  const eventId = str(event.id);
  const type = str(event.type);
  if (!eventId || !type) throw new TypeError('Stripe event without id or type');
  const object = isObject(event.data) && isObject(event.data.object) ? event.data.object : {};
  const base = { eventId, type, selfAuthenticating: false } as const;
  const ignored: NormalizedWebhookEvent = { ...base, kind: 'ignored' };

  if (STRIPE_DISPUTE_EVENTS.includes(type)) return stripeDisputeEvent(base, object);
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.async_payment_failed': {
      let paymentStatus: GatewayPaymentStatus =
        str(object.payment_status) === 'paid' ? 'succeeded' : 'pending';
      if (type === 'checkout.session.async_payment_failed') paymentStatus = 'failed';
      return {
        ...base,
        kind: 'payment',
        reference: str(object.client_reference_id) ?? metadataValue(object, 'reference'),
        gatewayPaymentId: str(object.id),
        paymentStatus,
        amount: minorOrUndefined(object.amount_total),
        currency: upperCurrency(object.currency),
      };
    }
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      const reference = metadataValue(object, 'reference');
      if (!reference) return ignored;
      return {
        ...base,
        kind: 'payment',
        reference,
        paymentStatus: type === 'payment_intent.succeeded' ? 'succeeded' : 'failed',
        amount: minorOrUndefined(object.amount),
        currency: upperCurrency(object.currency),
      };
    }
    case 'payment_intent.amount_capturable_updated':
    case 'payment_intent.canceled': {
      // Manual capture: the hold is placed (or voided / expired). Processing asks Stripe anyway.
      const reference = metadataValue(object, 'reference');
      if (!reference) return ignored;
      const authorized = type === 'payment_intent.amount_capturable_updated';
      return {
        ...base,
        kind: 'payment',
        reference,
        paymentStatus: authorized ? 'authorized' : 'canceled',
        amount: minorOrUndefined(authorized ? object.amount_capturable : object.amount),
        currency: upperCurrency(object.currency),
      };
    }
    case 'charge.succeeded':
    case 'charge.failed': {
      // Charges carry our reference only when metadata reached them; the payment_intent.* event
      // for the same attempt always carries it, so a charge without one is safely ignored.
      const reference = metadataValue(object, 'reference');
      if (!reference) return ignored;
      return {
        ...base,
        kind: 'payment',
        reference,
        paymentStatus: type === 'charge.succeeded' ? 'succeeded' : 'failed',
        amount: minorOrUndefined(object.amount),
        currency: upperCurrency(object.currency),
      };
    }
    case 'charge.refunded': {
      const refunds =
        isObject(object.refunds) && Array.isArray(object.refunds.data) ? object.refunds.data : [];
      const latest = refunds
        .filter(isObject)
        .sort((a, b) => Number(b.created ?? 0) - Number(a.created ?? 0))[0];
      if (!latest) return ignored;
      return refundEvent(base, latest, metadataValue(object, 'reference'));
    }
    case 'refund.updated':
    case 'refund.failed':
      return refundEvent(base, object, undefined);
    default:
      return ignored;
  }
}

function refundEvent(
  base: { eventId: string; type: string; selfAuthenticating: false },
  refund: Json,
  chargeReference: string | undefined,
): NormalizedWebhookEvent {
  const refundId = metadataValue(refund, 'refund_id');
  const gatewayRefundId = str(refund.id);
  if (!refundId && !gatewayRefundId) return { ...base, kind: 'ignored' };
  return {
    ...base,
    kind: 'refund',
    reference: metadataValue(refund, 'reference') ?? chargeReference,
    refundId,
    gatewayRefundId,
    refundStatus: base.type === 'refund.failed' ? 'failed' : mapRefundStatus(refund.status),
    amount: minorOrUndefined(refund.amount),
    currency: upperCurrency(refund.currency),
  };
}
