import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { VerifyResult } from '../../gateways/gateway.interface.js';
import type { Payment } from '../payment.entity.js';
import type { PaymentDecision } from './payment-state-machine.js';

export type Transition = Extract<PaymentDecision, { kind: 'transition' }>;

/** The payment's columns a change sets, by entity property. */
export type PaymentChanges = QueryDeepPartialEntity<Payment>;

/** What asking the gateway teaches about the payment, whatever the decision. */
export function observedChanges(
  payment: Payment,
  report: VerifyResult | null,
  asked: boolean,
  now: Date,
): PaymentChanges {
  const changes: PaymentChanges = {};
  if (asked) changes.lastVerifiedAt = now;
  if (report?.gatewayPaymentId && !payment.gatewayPaymentId && report.status === 'succeeded')
    changes.gatewayPaymentId = report.gatewayPaymentId;
  if (report?.gatewayChargeId && !payment.gatewayChargeId)
    changes.gatewayChargeId = report.gatewayChargeId;
  if (report?.gatewayAuthorizationId && !payment.gatewayAuthorizationId)
    changes.gatewayAuthorizationId = report.gatewayAuthorizationId;
  return changes;
}

/**
 * The columns a transition sets. `reverifyAt` is when reconciliation asks the gateway about an
 * abandoned payment again (a payer who finishes late is still credited).
 */
export function transitionChanges(
  decision: Transition,
  report: VerifyResult | null,
  now: Date,
  reverifyAt: Date,
): PaymentChanges {
  switch (decision.to) {
    case 'succeeded':
      return {
        status: 'succeeded',
        amountReceived: decision.amountReceived,
        settledAt: now,
        failureReason: null,
        nextVerifyAt: null,
      };
    case 'needs_review':
      return {
        status: 'needs_review',
        reviewReason: decision.reviewReason,
        reportedAmount: report?.amount ?? null,
        reportedCurrency: report?.currency ?? null,
        reportedReference: report?.reference ?? null,
        nextVerifyAt: null,
      };
    case 'failed':
      return {
        status: 'failed',
        failureReason: report?.failureReason ?? decision.failureReason,
        nextVerifyAt: null,
      };
    case 'abandoned':
      return {
        status: 'abandoned',
        failureReason: decision.failureReason,
        nextVerifyAt: reverifyAt,
      };
    case 'authorized':
      // Reconciliation asks the gateway about it (expiry) on the abandoned payments' schedule.
      return {
        status: 'authorized',
        amountAuthorized: decision.amountAuthorized,
        failureReason: null,
        nextVerifyAt: reverifyAt,
      };
    case 'canceled':
      return {
        status: 'canceled',
        failureReason: decision.failureReason,
        nextVerifyAt: null,
      };
  }
}

/** The audit entry's note for a transition. */
export function describeTransition(decision: Transition): string {
  switch (decision.to) {
    case 'succeeded':
      return `the gateway confirmed ${decision.amountReceived}`;
    case 'needs_review':
      return decision.reviewReason;
    case 'failed':
    case 'abandoned':
    case 'canceled':
      return decision.failureReason;
    case 'authorized':
      return `the gateway authorized ${decision.amountAuthorized}`;
  }
}

/** The audit entry's details: what the gateway reported, when it was asked (or the event said). */
export function auditDetails(report: VerifyResult | null): Record<string, unknown> | null {
  return report ? { gateway_report: { ...report } } : null;
}
