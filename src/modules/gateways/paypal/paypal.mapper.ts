import { majorToMinor } from '../../../common/money.js';
import type {
  GatewayPaymentStatus,
  GatewayRefundStatus,
  NormalizedWebhookEvent,
  RefundResult,
  VerifyResult,
} from '../gateway.interface.js';
import { PAYPAL_DISPUTE_EVENTS, paypalDisputeEvent } from './paypal-disputes.js';
import { type Json, isObject, str } from '../gateway-json.js';

/**
 * Pure mapping from PayPal REST payloads (Orders v2, Payments v2, webhook events) to our shapes.
 * PayPal amounts are decimal strings in major units (`{"currency_code":"USD","value":"10.50"}`);
 * they are converted exactly with the currency's exponent.
 */

/**
 * PayPal's REST currencies whose decimals match ISO-4217 (our minor unit). HUF and TWD are left
 * out: PayPal refuses decimals for them while ISO gives them two.
 */
export const PAYPAL_CURRENCIES: readonly string[] = [
  'AUD',
  'BRL',
  'CAD',
  'CHF',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'GBP',
  'HKD',
  'ILS',
  'JPY',
  'MXN',
  'MYR',
  'NOK',
  'NZD',
  'PHP',
  'PLN',
  'SEK',
  'SGD',
  'THB',
  'USD',
];

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** `{currency_code, value}` → minor units and upper-case currency; throws on an inexact amount. */
export function moneyOf(value: unknown): { amount?: number; currency?: string } {
  if (!isObject(value)) return {};
  const currency = str(value.currency_code)?.toUpperCase();
  const amount =
    currency && str(value.value) ? majorToMinor(value.value as string, currency) : undefined;
  return { amount, currency };
}

function safeMoneyOf(value: unknown): { amount?: number; currency?: string } {
  try {
    return moneyOf(value);
  } catch {
    return {};
  }
}

/** Our reference as we set it on the purchase unit (custom_id, invoice_id and reference_id). */
function referenceOf(holder: Json): string | undefined {
  return str(holder.custom_id) ?? str(holder.invoice_id) ?? str(holder.reference_id);
}

const CAPTURE_STATUS: Record<string, GatewayPaymentStatus> = {
  COMPLETED: 'succeeded',
  // Money was taken; a later refund does not undo the payment itself.
  PARTIALLY_REFUNDED: 'succeeded',
  REFUNDED: 'succeeded',
  PENDING: 'pending',
  DECLINED: 'failed',
  FAILED: 'failed',
};

const ORDER_STATUS: Record<string, GatewayPaymentStatus> = {
  CREATED: 'pending',
  SAVED: 'pending',
  APPROVED: 'pending',
  PAYER_ACTION_REQUIRED: 'pending',
  COMPLETED: 'pending',
  VOIDED: 'failed',
};

/** The capture of an order, when there is one (the last, should PayPal ever list several). */
export function captureOf(order: Json): Json | undefined {
  const unit = list(order.purchase_units)[0];
  const payments = unit && isObject(unit.payments) ? unit.payments : undefined;
  return payments ? list(payments.captures).at(-1) : undefined;
}

/** The authorization of an AUTHORIZE-intent order, once authorized (the last, as for captures). */
export function authorizationOf(order: Json): Json | undefined {
  const unit = list(order.purchase_units)[0];
  const payments = unit && isObject(unit.payments) ? unit.payments : undefined;
  return payments ? list(payments.authorizations).at(-1) : undefined;
}

/**
 * An authorization's status (developer.paypal.com/docs/api/payments/v2/#authorizations_get):
 * CREATED holds the money; PENDING is under review; DENIED, VOIDED and EXPIRED hold nothing any
 * more. CAPTURED / PARTIALLY_CAPTURED are decided by the capture itself.
 */
const AUTHORIZATION_STATUS: Record<string, GatewayPaymentStatus> = {
  CREATED: 'authorized',
  PENDING: 'pending',
  DENIED: 'canceled',
  VOIDED: 'canceled',
  EXPIRED: 'canceled',
  CAPTURED: 'pending',
  PARTIALLY_CAPTURED: 'pending',
};

/** A v2 authorization resource → the gateway's truth about a manual payment not yet captured. */
export function mapAuthorization(authorization: Json, orderId?: string): VerifyResult {
  const related =
    isObject(authorization.supplementary_data) &&
    isObject(authorization.supplementary_data.related_ids)
      ? authorization.supplementary_data.related_ids
      : {};
  const status = AUTHORIZATION_STATUS[str(authorization.status) ?? ''] ?? 'pending';
  return {
    status,
    reference: referenceOf(authorization),
    ...moneyOf(authorization.amount),
    gatewayPaymentId: orderId ?? str(related.order_id),
    gatewayAuthorizationId: str(authorization.id),
    failureReason: status === 'canceled' ? `authorization ${str(authorization.status)}` : undefined,
  };
}

/** A capture resource (POST /v2/payments/authorizations/{id}/capture) → the gateway's truth. */
export function mapCapture(capture: Json): VerifyResult {
  const status = CAPTURE_STATUS[str(capture.status) ?? ''] ?? 'pending';
  const related =
    isObject(capture.supplementary_data) && isObject(capture.supplementary_data.related_ids)
      ? capture.supplementary_data.related_ids
      : {};
  return {
    status,
    reference: referenceOf(capture),
    ...moneyOf(capture.amount),
    gatewayPaymentId: str(related.order_id),
    gatewayChargeId: str(capture.id),
    failureReason:
      status === 'succeeded' || !isObject(capture.status_details)
        ? undefined
        : str(capture.status_details.reason),
  };
}

/**
 * An order (GET or capture response) → the gateway's truth. Once captured, the CAPTURE's status
 * decides: an order is COMPLETED even when its capture was DECLINED or is still PENDING. An
 * AUTHORIZE-intent order not captured yet is what its authorization is.
 */
export function mapOrder(order: Json): VerifyResult {
  const unit = list(order.purchase_units)[0] ?? {};
  const capture = captureOf(order);
  const authorization = authorizationOf(order);
  if (!capture && authorization) {
    const result = mapAuthorization(authorization, str(order.id));
    return { ...result, reference: result.reference ?? referenceOf(unit) };
  }
  if (capture) {
    const status = CAPTURE_STATUS[str(capture.status) ?? ''] ?? 'pending';
    const details = isObject(capture.status_details)
      ? str(capture.status_details.reason)
      : undefined;
    return {
      status,
      reference: referenceOf(capture) ?? referenceOf(unit),
      ...moneyOf(capture.amount),
      gatewayPaymentId: str(order.id),
      gatewayChargeId: str(capture.id),
      failureReason: status === 'succeeded' ? undefined : details,
    };
  }
  return {
    status: ORDER_STATUS[str(order.status) ?? ''] ?? 'pending',
    reference: referenceOf(unit),
    ...moneyOf(unit.amount),
    gatewayPaymentId: str(order.id),
  };
}

const REFUND_STATUS: Record<string, GatewayRefundStatus> = {
  COMPLETED: 'succeeded',
  PENDING: 'processing',
  FAILED: 'failed',
  CANCELLED: 'failed',
};

export function mapRefundStatus(status: unknown): GatewayRefundStatus {
  return REFUND_STATUS[str(status) ?? ''] ?? 'processing';
}

/** A v2 refund resource → our refund result. */
export function mapRefund(refund: Json): RefundResult {
  const status = mapRefundStatus(refund.status);
  const reason = isObject(refund.status_details) ? str(refund.status_details.reason) : undefined;
  return {
    status,
    gatewayRefundId: str(refund.id),
    failureReason: status === 'failed' ? (reason ?? 'FAILED') : undefined,
  };
}

export const PAYPAL_HANDLED_EVENTS: readonly string[] = [
  'CHECKOUT.ORDER.APPROVED',
  'PAYMENT.AUTHORIZATION.CREATED',
  'PAYMENT.AUTHORIZATION.VOIDED',
  'PAYMENT.CAPTURE.COMPLETED',
  'PAYMENT.CAPTURE.DENIED',
  'PAYMENT.CAPTURE.PENDING',
  'PAYMENT.CAPTURE.REFUNDED',
];

/** A verified webhook event → the normalized event (the event id is PayPal's own WH-… id). */
export function mapPayPalEvent(event: Json): NormalizedWebhookEvent {
  const eventId = str(event.id);
  const type = str(event.event_type);
  if (!eventId || !type) throw new TypeError('PayPal webhook event without id or event_type');
  const resource = isObject(event.resource) ? event.resource : {};
  const base = { eventId, type, selfAuthenticating: false } as const;
  if (PAYPAL_DISPUTE_EVENTS.includes(type)) return paypalDisputeEvent(base, resource);

  switch (type) {
    case 'CHECKOUT.ORDER.APPROVED': {
      // Approved is not paid: processing verifies, and verify captures (once, idempotently).
      const unit = list(resource.purchase_units)[0] ?? {};
      return {
        ...base,
        kind: 'payment',
        reference: referenceOf(unit),
        gatewayPaymentId: str(resource.id),
        paymentStatus: 'pending',
        ...safeMoneyOf(unit.amount),
      };
    }
    case 'PAYMENT.CAPTURE.COMPLETED':
    case 'PAYMENT.CAPTURE.DENIED':
    case 'PAYMENT.CAPTURE.PENDING': {
      const related =
        isObject(resource.supplementary_data) && isObject(resource.supplementary_data.related_ids)
          ? resource.supplementary_data.related_ids
          : {};
      const paymentStatus: GatewayPaymentStatus =
        type === 'PAYMENT.CAPTURE.COMPLETED'
          ? 'succeeded'
          : type === 'PAYMENT.CAPTURE.DENIED'
            ? 'failed'
            : 'pending';
      return {
        ...base,
        kind: 'payment',
        reference: referenceOf(resource),
        gatewayPaymentId: str(related.order_id),
        paymentStatus,
        ...safeMoneyOf(resource.amount),
      };
    }
    case 'PAYMENT.AUTHORIZATION.CREATED':
    case 'PAYMENT.AUTHORIZATION.VOIDED': {
      // Manual capture: the hold is placed or voided. Processing asks PayPal (GET the order).
      const related =
        isObject(resource.supplementary_data) && isObject(resource.supplementary_data.related_ids)
          ? resource.supplementary_data.related_ids
          : {};
      return {
        ...base,
        kind: 'payment',
        reference: referenceOf(resource),
        gatewayPaymentId: str(related.order_id),
        paymentStatus: type === 'PAYMENT.AUTHORIZATION.CREATED' ? 'authorized' : 'canceled',
        ...safeMoneyOf(resource.amount),
      };
    }
    case 'PAYMENT.CAPTURE.REFUNDED': {
      // The resource is the refund; we set its custom_id to our refund id when creating it.
      return {
        ...base,
        kind: 'refund',
        reference: str(resource.invoice_id),
        refundId: str(resource.custom_id),
        gatewayRefundId: str(resource.id),
        refundStatus: mapRefundStatus(resource.status),
        ...safeMoneyOf(resource.amount),
      };
    }
    default:
      return { ...base, kind: 'ignored' };
  }
}
