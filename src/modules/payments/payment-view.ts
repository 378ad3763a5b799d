import type { Minor } from '../../common/money.js';
import type { Order } from './orders/order.entity.js';
import type { Payment } from './payment.entity.js';

/** A payment as GET /payments/{reference} shows it; also the `data` of payment.* events. */
export interface PaymentView {
  reference: string;
  gateway: string;
  purpose: string;
  status: string;
  amount: Minor;
  currency: string;
  amount_received: Minor | null;
  amount_refunded: Minor;
  refund_status: string;
  email: string;
  callback_url: string | null;
  metadata: Record<string, unknown> | null;
  order_id: string | null;
  authorization_url: string | null;
  access_code: string | null;
  failure_reason: string | null;
  review_reason: string | null;
  created_at: string;
  updated_at: string;
  settled_at: string | null;
  expires_at: string;
}

export function toPaymentView(payment: Payment): PaymentView {
  return {
    reference: payment.reference,
    gateway: payment.gateway,
    purpose: payment.purpose,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    amount_received: payment.amountReceived,
    amount_refunded: payment.amountRefunded,
    refund_status: payment.refundStatus,
    email: payment.email,
    callback_url: payment.callbackUrl,
    metadata: payment.metadata,
    order_id: payment.orderId,
    authorization_url: payment.authorizationUrl,
    access_code: payment.accessCode,
    failure_reason: payment.failureReason,
    review_reason: payment.reviewReason,
    created_at: payment.createdAt.toISOString(),
    updated_at: payment.updatedAt.toISOString(),
    settled_at: payment.settledAt?.toISOString() ?? null,
    expires_at: payment.expiresAt.toISOString(),
  };
}

export interface OrderView {
  id: string;
  amount: Minor;
  currency: string;
  receipt: string;
  status: string;
  paid_at: string | null;
  created_at: string;
}

export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    amount: order.amount,
    currency: order.currency,
    receipt: order.receipt,
    status: order.status,
    paid_at: order.paidAt?.toISOString() ?? null,
    created_at: order.createdAt.toISOString(),
  };
}
