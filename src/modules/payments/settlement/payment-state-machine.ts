import type { Minor } from '../../../common/money.js';
import type { GatewayPaymentStatus } from '../../gateways/gateway.interface.js';
import type { PaymentStatus } from '../payment.entity.js';

/** What we asked the gateway for. */
export interface ExpectedPayment {
  reference: string;
  amount: Minor;
  currency: string;
  /**
   * Manual capture: what the capture asked for, which is what the gateway then takes (the rest of
   * the authorization is released). A success is checked against it instead of `amount`.
   */
  amountToCapture?: Minor | null;
}

/** What the gateway says now (verify API, or a self-authenticating signed event). */
export interface GatewayReport {
  status: GatewayPaymentStatus;
  reference?: string;
  amount?: Minor;
  currency?: string;
}

export interface DecisionContext {
  /** now ≥ the payment's expires_at (PAYMENT_EXPIRY after creation). */
  expired: boolean;
  /** An admin rejected the payment on review: it never moves again, whatever is reported. */
  rejected?: boolean;
  /** The payment is for an order another payment has already paid. */
  orderAlreadyPaid?: boolean;
  /** The payment is for a checkout session another payment has already completed. */
  sessionAlreadyPaid?: boolean;
  /** The payment was created with `capture: manual`: only then can it be authorized. */
  manualCapture?: boolean;
}

/** review_reason of a payment that succeeded for an order another payment had already paid. */
export const ORDER_ALREADY_PAID = 'ORDER_ALREADY_PAID';
/** review_reason of a payment that succeeded for a checkout session another payment completed. */
export const CHECKOUT_SESSION_ALREADY_PAID = 'CHECKOUT_SESSION_ALREADY_PAID';

export type PaymentDecision =
  | { kind: 'transition'; to: 'succeeded'; amountReceived: Minor }
  | { kind: 'transition'; to: 'needs_review'; reviewReason: string }
  | { kind: 'transition'; to: 'failed'; failureReason: string }
  | { kind: 'transition'; to: 'abandoned'; failureReason: string }
  | { kind: 'transition'; to: 'authorized'; amountAuthorized: Minor }
  | { kind: 'transition'; to: 'canceled'; failureReason: string }
  /** Nothing to apply. `contradiction` is set when the report disagrees with a state that cannot move. */
  | { kind: 'unchanged'; reason: string; contradiction: boolean };

export const FINAL_STATUSES: readonly PaymentStatus[] = ['succeeded', 'needs_review'];

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Every way the report disagrees with what we asked for; empty when it matches. */
export function mismatches(expected: ExpectedPayment, report: GatewayReport): string[] {
  const problems: string[] = [];
  if (report.reference !== undefined && report.reference !== expected.reference) {
    problems.push(`reference ${report.reference} instead of ${expected.reference}`);
  }
  if (report.currency === undefined) problems.push('no currency reported');
  else if (report.currency.toUpperCase() !== expected.currency) {
    problems.push(`currency ${report.currency} instead of ${expected.currency}`);
  }
  if (report.amount === undefined) problems.push('no amount reported');
  else if (report.amount !== expected.amount)
    problems.push(`amount ${report.amount} instead of ${expected.amount}`);
  return problems;
}

/** What a success is checked against: the capture asked for, or else the whole payment. */
function expectedTaken(expected: ExpectedPayment): ExpectedPayment {
  const amountToCapture = expected.amountToCapture;
  return amountToCapture === null || amountToCapture === undefined
    ? expected
    : { ...expected, amount: amountToCapture };
}

/**
 * The payment state machine, pure. `pending → succeeded | failed | abandoned`; `needs_review`
 * when the gateway took money that disagrees with the request, or that pays an order another
 * payment has already paid (ORDER_ALREADY_PAID: never silently kept), or a checkout session
 * another payment has completed (CHECKOUT_SESSION_ALREADY_PAID); `succeeded` and
 * `needs_review` never move, nor does a payment an admin rejected (it is `failed`, and final);
 * `failed` and `abandoned` otherwise move only to `succeeded`/`needs_review`, and only when the
 * gateway confirms money was taken. A gateway's own pending/abandoned reading keeps a payment
 * `pending` until it expires. `report` is null when the gateway could not be asked (only expiry
 * can then apply).
 *
 * Manual capture (SPEC §15): a gateway's authorization of what we asked for moves `pending`
 * (or a `failed`/`abandoned` one the payer finished late) to `authorized`, where nothing is
 * credited; a capture's success moves it on to `succeeded` for what the capture asked for; a void
 * or the gateway's expiry of the authorization (reported `canceled`, or `failed`) makes it
 * `canceled`. An authorization does not expire on our clock, only on the gateway's. `canceled`
 * behaves as `failed`: only a confirmed success moves it again (money taken is never left
 * uncredited).
 */
export function decidePayment(
  current: PaymentStatus,
  expected: ExpectedPayment,
  report: GatewayReport | null,
  context: DecisionContext,
): PaymentDecision {
  if (context.rejected) {
    // Final by an admin's decision: a report of money taken (that is why it was in review) or of
    // anything else but the failure it now is, is recorded and not applied.
    return {
      kind: 'unchanged',
      reason: `payment was rejected on review and is final (${current})`,
      contradiction: report !== null && report.status !== 'failed',
    };
  }

  if (isFinal(current)) {
    const agrees =
      report === null ||
      report.status === 'pending' ||
      (report.status === 'succeeded' &&
        (current === 'needs_review' || mismatches(expected, report).length === 0));
    return {
      kind: 'unchanged',
      reason: `payment is already ${current}`,
      contradiction: !agrees,
    };
  }

  if (report?.status === 'succeeded') {
    if (context.orderAlreadyPaid) {
      return { kind: 'transition', to: 'needs_review', reviewReason: ORDER_ALREADY_PAID };
    }
    if (context.sessionAlreadyPaid) {
      return {
        kind: 'transition',
        to: 'needs_review',
        reviewReason: CHECKOUT_SESSION_ALREADY_PAID,
      };
    }
    const problems = mismatches(expectedTaken(expected), report);
    if (problems.length > 0) {
      return {
        kind: 'transition',
        to: 'needs_review',
        reviewReason: `gateway reported ${problems.join(', ')}`,
      };
    }
    return { kind: 'transition', to: 'succeeded', amountReceived: report.amount as Minor };
  }

  if (report?.status === 'authorized') {
    if (!context.manualCapture) {
      return {
        kind: 'unchanged',
        reason: 'the gateway reports an authorization; this payment is captured automatically',
        contradiction: false,
      };
    }
    return decideAuthorization(current, expected, report);
  }

  if (current === 'authorized') {
    if (report?.status === 'canceled' || report?.status === 'failed') {
      return {
        kind: 'transition',
        to: 'canceled',
        failureReason:
          report.status === 'canceled'
            ? 'the gateway voided or expired the authorization'
            : 'the gateway reports the authorization failed',
      };
    }
    return {
      kind: 'unchanged',
      reason: `payment is authorized and the gateway reports ${report?.status ?? 'nothing'}`,
      contradiction: false,
    };
  }

  if (current !== 'pending') {
    // failed/abandoned/canceled wait for a confirmed payment; any other reading changes nothing
    return {
      kind: 'unchanged',
      reason: `payment is ${current} and the gateway reports ${report?.status ?? 'nothing'}`,
      contradiction: false,
    };
  }

  if (report?.status === 'failed' || report?.status === 'canceled') {
    if (report.reference !== undefined && report.reference !== expected.reference) {
      return {
        kind: 'unchanged',
        reason: `failure reported for another reference (${report.reference})`,
        contradiction: true,
      };
    }
    return {
      kind: 'transition',
      to: 'failed',
      failureReason: 'the gateway reported the payment failed',
    };
  }

  if (context.expired) {
    return {
      kind: 'transition',
      to: 'abandoned',
      failureReason:
        report === null
          ? 'expired; the gateway could not be asked'
          : `expired; the gateway reports ${report.status}`,
    };
  }
  return {
    kind: 'unchanged',
    reason: `the gateway reports ${report?.status ?? 'nothing'}; waiting until expiry`,
    contradiction: false,
  };
}

/** The gateway holds the payer's money for a manual capture. */
function decideAuthorization(
  current: PaymentStatus,
  expected: ExpectedPayment,
  report: GatewayReport,
): PaymentDecision {
  if (current === 'authorized') {
    return { kind: 'unchanged', reason: 'payment is already authorized', contradiction: false };
  }
  if (current === 'canceled') {
    // We voided it (or the gateway expired it) and it still reports a hold: recorded.
    return {
      kind: 'unchanged',
      reason: 'payment is canceled and the gateway reports an authorization',
      contradiction: true,
    };
  }
  const problems = mismatches(expected, report);
  if (problems.length > 0) {
    // Nothing was taken, so nothing needs a person's money decision: the hold is not used, and
    // the contradiction is recorded for whoever looks at the payment.
    return {
      kind: 'unchanged',
      reason: `authorization disagrees: gateway reported ${problems.join(', ')}`,
      contradiction: true,
    };
  }
  return { kind: 'transition', to: 'authorized', amountAuthorized: report.amount as Minor };
}
