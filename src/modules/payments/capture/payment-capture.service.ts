import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { conflict, notFound, unprocessable } from '../../../common/errors/app-error.js';
import type { Minor } from '../../../common/money.js';
import { AppConfig } from '../../../config/app-config.js';
import type { IdempotencyClaim } from '../../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../../http/idempotency/idempotency.service.js';
import { GatewayRequestError, GatewayUnavailableError } from '../../gateways/gateway.errors.js';
import type {
  CaptureInput,
  GatewayName,
  PaymentGateway,
  VerifyResult,
} from '../../gateways/gateway.interface.js';
import { GatewayRegistry } from '../../gateways/gateway.registry.js';
import { toPaymentDto } from '../dto/payment.dto.js';
import { PAYMENT_REFERENCE_PATTERN } from '../payment-reference.js';
import { type CaptureAction, Payment } from '../payment.entity.js';
import { SettlementService } from '../settlement/settlement.service.js';

/** The gateway idempotency key of a payment's one capture or void: never from the request. */
export function gatewayKeyOf(action: CaptureAction, reference: string): string {
  return `${action === 'capture' ? 'capture-authorization' : 'void-authorization'}-${reference}`;
}

const notCapturable = (payment: Payment, why: string): Error =>
  conflict('PAYMENT_NOT_CAPTURABLE', `Payment ${payment.reference} ${why}`);

/**
 * Capture and void of manual payments (SPEC §15). Three steps, none holding a lock across HTTP:
 * 1. under the payment's row lock, check it is `authorized` with nothing under way and record the
 *    capture (or void) as under way (`capture_action`): of any number of racing requests exactly
 *    one finds it free, so exactly one reaches the gateway; the others answer 409
 *    PAYMENT_NOT_CAPTURABLE;
 * 2. ask the gateway with a key derived from the payment (Stripe Idempotency-Key, PayPal-Request-Id),
 *    so a retry of a capture whose answer was lost replays it at the gateway instead of capturing
 *    again;
 * 3. settle the gateway's answer through the one settlement path, completing the request's
 *    Idempotency-Key in that transaction.
 * A capture the gateway did not answer is settled from the gateway's truth when it has one;
 * otherwise it stays under way, and is driven again (same action and amount, same gateway key) by
 * a retry of its request (same Idempotency-Key), by anyone after IDEMPOTENCY_IN_FLIGHT_TIMEOUT,
 * or by reconciliation.
 */
@Injectable()
export class PaymentCaptureService {
  private readonly logger = new Logger(PaymentCaptureService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly settlement: SettlementService,
    private readonly idempotency: IdempotencyService,
  ) {}

  capture(
    userId: string,
    reference: string,
    amount: Minor | undefined,
    claim: IdempotencyClaim | null,
  ): Promise<Payment> {
    return this.drive(userId, reference, 'capture', amount, claim);
  }

  cancel(userId: string, reference: string, claim: IdempotencyClaim | null): Promise<Payment> {
    return this.drive(userId, reference, 'cancel', undefined, claim);
  }

  /** Drives a capture or void that was left under way (reconciliation). */
  async resume(paymentId: string): Promise<void> {
    const payment = await this.dataSource.getRepository(Payment).findOneBy({ id: paymentId });
    if (!payment?.captureAction || payment.status !== 'authorized') return;
    await this.drive(
      payment.userId,
      payment.reference,
      payment.captureAction,
      payment.amountToCapture ?? undefined,
      null,
    );
  }

  private async drive(
    userId: string,
    reference: string,
    action: CaptureAction,
    requested: Minor | undefined,
    claim: IdempotencyClaim | null,
  ): Promise<Payment> {
    const payment = await this.begin(userId, reference, action, requested, claim?.key ?? null);
    let gateway: PaymentGateway;
    try {
      gateway = this.registry.get(payment.gateway as GatewayName);
      if (!gateway.capture || !gateway.voidAuthorization)
        throw unprocessable('CAPTURE_NOT_SUPPORTED', `${gateway.name} has no manual capture`);
    } catch (error) {
      // Disabled since the payment was made: nothing reached a gateway.
      await this.release(payment, action);
      throw error;
    }
    const input: CaptureInput = {
      reference: payment.reference,
      gatewayPaymentId: payment.gatewayPaymentId,
      gatewayChargeId: payment.gatewayChargeId,
      gatewayAuthorizationId: payment.gatewayAuthorizationId,
      amount: payment.amountToCapture ?? (payment.amountAuthorized as Minor),
      currency: payment.currency,
      idempotencyKey: gatewayKeyOf(action, payment.reference),
    };
    let report: VerifyResult;
    try {
      report = await this.callGateway(gateway, action, input);
    } catch (error) {
      if (error instanceof GatewayRequestError) await this.abandon(payment, action, error);
      if (error instanceof GatewayUnavailableError) {
        // No answer: the gateway may have done it (a reply lost after the change). Its truth now
        // may finish the payment; otherwise the action stays under way for a retry to resume.
        const finished = await this.settleFromGateway(payment, action, claim);
        if (finished) return finished;
      }
      throw error;
    }
    const outcome = await this.settlement.settle(payment.id, {
      source: action,
      report,
      within: (manager, settled) =>
        this.idempotency.completeWithin(manager, claim, toPaymentDto(settled)),
    });
    return outcome.payment;
  }

  /**
   * After a capture or void that got no answer: the gateway is asked what the payment is and that
   * is settled; the payment when it has left `authorized` (the action happened: the request's
   * Idempotency-Key is completed with it), else null.
   */
  private async settleFromGateway(
    payment: Payment,
    action: CaptureAction,
    claim: IdempotencyClaim | null,
  ): Promise<Payment | null> {
    try {
      const outcome = await this.settlement.settle(payment.id, {
        source: action,
        tolerateGatewayErrors: true,
        within: async (manager, settled) => {
          if (settled.status !== 'authorized')
            await this.idempotency.completeWithin(manager, claim, toPaymentDto(settled));
        },
      });
      return outcome.payment.status === 'authorized' ? null : outcome.payment;
    } catch (error) {
      this.logger.warn(
        `verifying ${payment.reference} after an unanswered ${action} failed: ${(error as Error).message}`,
      );
      return null;
    }
  }

  /** Step 1: the payment locked, checked and marked with the action under way. */
  private begin(
    userId: string,
    reference: string,
    action: CaptureAction,
    requested: Minor | undefined,
    requestKey: string | null,
  ): Promise<Payment> {
    if (!PAYMENT_REFERENCE_PATTERN.test(reference)) throw notFound('Payment');
    return this.dataSource.transaction(async (manager) => {
      const payment = await manager.findOne(Payment, {
        where: { reference, userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!payment) throw notFound('Payment');
      if (payment.status !== 'authorized' || payment.amountAuthorized === null)
        throw notCapturable(payment, `is ${payment.status}, not authorized`);
      const amount = action === 'capture' ? (requested ?? payment.amountAuthorized) : null;
      if (payment.captureAction !== null && !this.resumable(payment, action, amount, requestKey)) {
        throw notCapturable(payment, `already has a ${payment.captureAction} under way`);
      }
      if (amount !== null && amount > payment.amountAuthorized) {
        throw unprocessable(
          'CAPTURE_EXCEEDS_AUTHORIZED',
          `At most ${payment.amountAuthorized} was authorized`,
          [{ field: 'amount', message: `must be at most ${payment.amountAuthorized}` }],
        );
      }
      const now = new Date();
      await manager.update(
        Payment,
        { id: payment.id },
        {
          captureAction: action,
          captureRequestedAt: now,
          captureRequestKey: requestKey,
          ...(amount !== null ? { amountToCapture: amount } : {}),
        },
      );
      return Object.assign(payment, {
        captureAction: action,
        captureRequestedAt: now,
        captureRequestKey: requestKey,
        amountToCapture: amount ?? payment.amountToCapture,
      });
    });
  }

  /**
   * The same action, for the same amount, whose request is retried (the same Idempotency-Key: its
   * first attempt is over, or the key layer would have refused this one) or which has been under
   * way longer than a request may stay in flight (its request died or timed out). Either way the
   * gateway key derived from the payment makes driving it again replay, not repeat, the first.
   */
  private resumable(
    payment: Payment,
    action: CaptureAction,
    amount: Minor | null,
    requestKey: string | null,
  ): boolean {
    if (payment.captureAction !== action) return false;
    if (action === 'capture' && amount !== payment.amountToCapture) return false;
    if (requestKey !== null && requestKey === payment.captureRequestKey) return true;
    const since = payment.captureRequestedAt?.getTime() ?? Date.now();
    return Date.now() - since >= this.config.idempotencyInFlightTimeoutMs;
  }

  /** The action is no longer under way (and the payment still authorized). */
  private async release(payment: Payment, action: CaptureAction): Promise<void> {
    await this.dataSource.getRepository(Payment).update(
      { id: payment.id, status: 'authorized', captureAction: action },
      {
        captureAction: null,
        captureRequestedAt: null,
        captureRequestKey: null,
        amountToCapture: null,
      },
    );
  }

  private callGateway(
    gateway: PaymentGateway,
    action: CaptureAction,
    input: CaptureInput,
  ): Promise<VerifyResult> {
    if (!gateway.capture || !gateway.voidAuthorization)
      throw unprocessable('CAPTURE_NOT_SUPPORTED', `${gateway.name} has no manual capture`);
    return action === 'capture' ? gateway.capture(input) : gateway.voidAuthorization(input);
  }

  /**
   * The gateway refused for good (the hold expired, the amount was refused): the action is no
   * longer under way, and the gateway is asked what the payment now is (an expired hold makes it
   * `canceled`).
   */
  private async abandon(
    payment: Payment,
    action: CaptureAction,
    error: GatewayRequestError,
  ): Promise<void> {
    this.logger.warn(`${action} of ${payment.reference} refused: ${error.message}`);
    await this.release(payment, action);
    try {
      await this.settlement.settle(payment.id, { source: action, tolerateGatewayErrors: true });
    } catch (settleError) {
      this.logger.warn(
        `verifying ${payment.reference} after the refused ${action} failed: ${(settleError as Error).message}`,
      );
    }
  }
}
