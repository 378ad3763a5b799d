import type { Minor } from '../../common/money.js';
import type { Refund } from './refund.entity.js';

/** A refund as GET /refunds/{id} shows it; also the `data` of refund.* events. */
export interface RefundView {
  id: string;
  payment_reference: string;
  amount: Minor;
  currency: string;
  status: string;
  reason: string | null;
  failure_reason: string | null;
  gateway: string;
  initiated_by: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** What POST /payments/{reference}/refunds answers (SPEC §8). */
export interface RefundCreatedView {
  id: string;
  payment_reference: string;
  amount: Minor;
  currency: string;
  status: string;
  reason: string | null;
  created_at: string;
}

export function toRefundView(refund: Refund): RefundView {
  return {
    id: refund.id,
    payment_reference: refund.paymentReference,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    failure_reason: refund.failureReason,
    gateway: refund.gateway,
    initiated_by: refund.initiatedBy,
    created_at: refund.createdAt.toISOString(),
    updated_at: refund.updatedAt.toISOString(),
    completed_at: refund.completedAt?.toISOString() ?? null,
  };
}

export function toRefundCreatedView(refund: Refund): RefundCreatedView {
  return {
    id: refund.id,
    payment_reference: refund.paymentReference,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    created_at: refund.createdAt.toISOString(),
  };
}

/** Admin view: the working fields too. */
export interface AdminRefundView extends RefundView {
  user_id: string;
  gateway_refund_id: string | null;
  gateway_refund_reference: string | null;
  initiated_by_user_id: string | null;
  wallet_debited: boolean;
  attempts: number;
  last_attempt_at: string | null;
  last_error: string | null;
  needs_attention: string | null;
}

export function toAdminRefundView(refund: Refund): AdminRefundView {
  return {
    ...toRefundView(refund),
    user_id: refund.userId,
    gateway_refund_id: refund.gatewayRefundId,
    gateway_refund_reference: refund.gatewayRefundReference,
    initiated_by_user_id: refund.initiatedByUserId,
    wallet_debited: refund.walletDebited,
    attempts: refund.attempts,
    last_attempt_at: refund.lastAttemptAt?.toISOString() ?? null,
    last_error: refund.lastError,
    needs_attention: refund.needsAttention,
  };
}
