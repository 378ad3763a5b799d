import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { GatewayRequestError } from '../gateways/gateway.errors.js';
import type {
  GatewayName,
  PaymentGateway,
  RefundInput,
  RefundResult,
} from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import { PaymentsService } from '../payments/payments.service.js';
import { Refund, RefundStatus } from './refund.entity.js';
import {
  gatewayNeverReceived,
  IDEMPOTENCY_KEY_TRUSTED_MS,
  IDEMPOTENT_REFUND_GATEWAYS,
} from './refund-gateway-policy.js';
import { queryRows } from '../../database/sql.js';
import { RefundTransitionsService } from './refund-transitions.service.js';

/**
 * The refund job's body: calls the gateway's refund API once per refund, safely.
 *
 * Before each call `gateway_call_started_at` is set under a guarded UPDATE; it stays set until the
 * answer is known. So "set, and no gateway_refund_id" means a call whose outcome we do not know
 * (a timeout, a cut connection, a 5xx, or a worker that died mid-call). What happens next depends
 * on the gateway:
 * - Stripe and PayPal take our refund id as idempotency key: the call is simply sent again and
 *   the gateway answers with the refund it already made, if it made one.
 * - Paystack and Flutterwave take no key: a second call could refund the payer twice. The refund
 *   is not sent again; it stays `processing` (the money stays reserved) and is parked for a person
 *   (`needs_attention`, listed at GET /admin/refunds?needs_attention=true) with what to look for in
 *   the gateway's dashboard. A refund webhook that arrives meanwhile still finishes it. Failures
 *   that prove the gateway never received the call (connection refused, 429) are retried.
 */
@Injectable()
export class RefundExecutionService {
  private readonly logger = new Logger(RefundExecutionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly payments: PaymentsService,
    private readonly transitions: RefundTransitionsService,
  ) {}

  /** Throws to make BullMQ retry with backoff (transient gateway failures). */
  async process(refundId: string): Promise<RefundStatus | 'missing'> {
    const refund = await this.dataSource.getRepository(Refund).findOneBy({ id: refundId });
    if (!refund) return 'missing';
    if (!isOpen(refund) || refund.needsAttention) return refund.status;
    const gateway = this.registry.get(refund.gateway as GatewayName);
    if (refund.gatewayRefundId) {
      // the gateway has it already: only its state is left to learn
      await this.poll(refund);
      return this.statusOf(refundId);
    }
    const input = await this.refundInput(refund);
    const idempotent = IDEMPOTENT_REFUND_GATEWAYS.has(refund.gateway);
    // Set when an earlier call's answer never came (cleared only when the gateway provably never
    // received it): the gateway may have made this refund already.
    const earlierUnknown = refund.gatewayCallStartedAt !== null;
    if (
      idempotent &&
      earlierUnknown &&
      Date.now() - refund.createdAt.getTime() > IDEMPOTENCY_KEY_TRUSTED_MS
    ) {
      // The gateway may have forgotten our key by now: a resend could refund a second time.
      await this.transitions.needAttention(
        refundId,
        this.ambiguousNote(
          refund,
          'no answer to an earlier call, and its idempotency key may have expired',
        ),
      );
      return 'processing';
    }
    const claimed = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE refunds
          SET status = 'processing', attempts = attempts + 1, last_attempt_at = now(),
              gateway_call_started_at = now(), updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'processing') AND gateway_refund_id IS NULL
          AND needs_attention IS NULL AND ($2::boolean OR gateway_call_started_at IS NULL)
        RETURNING id`,
      [refundId, idempotent],
    );
    if (claimed.length === 0) {
      const fresh = await this.dataSource.getRepository(Refund).findOneByOrFail({ id: refundId });
      if (
        isOpen(fresh) &&
        !fresh.gatewayRefundId &&
        !fresh.needsAttention &&
        fresh.gatewayCallStartedAt &&
        !idempotent
      ) {
        await this.transitions.needAttention(
          refundId,
          this.ambiguousNote(fresh, 'an earlier call was interrupted'),
        );
      }
      return fresh.status;
    }

    let result: RefundResult;
    try {
      result = await gateway.refund(input);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof GatewayRequestError && earlierUnknown) {
        // A refusal of a resend is no proof the first call refunded nothing: the gateway may be
        // refusing because it did (PayPal answers a resend past its key 422
        // CAPTURE_FULLY_REFUNDED). Failing would give the wallet money the payer got back.
        await this.transitions.needAttention(
          refundId,
          this.ambiguousNote(
            refund,
            `an earlier call had no answer; the resend was refused: ${message}`,
          ),
        );
        return 'processing';
      }
      if (error instanceof GatewayRequestError) {
        // a definite refusal of the first call: nothing was refunded
        await this.transitions.fail(
          refundId,
          `${refund.gateway} refused the refund: ${message}`,
          'job',
        );
        return 'failed';
      }
      if (gatewayNeverReceived(error)) {
        await queryRows(
          this.dataSource.manager,
          `UPDATE refunds SET gateway_call_started_at = NULL, last_error = $2, updated_at = now() WHERE id = $1`,
          [refundId, message.slice(0, 1000)],
        );
        throw error;
      }
      await queryRows(
        this.dataSource.manager,
        `UPDATE refunds SET last_error = $2, updated_at = now() WHERE id = $1`,
        [refundId, message.slice(0, 1000)],
      );
      if (!idempotent) {
        await this.transitions.needAttention(refundId, this.ambiguousNote(refund, message));
        return 'processing';
      }
      throw error;
    }
    await this.applyAnswer(refund, result, 'job');
    return this.statusOf(refundId);
  }

  /** Asks the gateway about a refund it has accepted (for gateways that can be asked). */
  async poll(refund: Refund): Promise<void> {
    const gateway = this.registry.get(refund.gateway as GatewayName);
    const nextCheckAt = new Date(Date.now() + this.config.refundPollIntervalMs);
    if (!refund.gatewayRefundId || !gateway.getRefund) {
      // nothing to ask: its webhook finishes it
      await queryRows(
        this.dataSource.manager,
        `UPDATE refunds SET next_check_at = $2 WHERE id = $1`,
        [refund.id, nextCheckAt],
      );
      return;
    }
    let result: RefundResult;
    try {
      result = await this.getRefund(
        gateway,
        refund.gatewayRefundId,
        await this.refundInput(refund),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`could not ask ${refund.gateway} about refund ${refund.id}: ${message}`);
      await queryRows(
        this.dataSource.manager,
        `UPDATE refunds SET next_check_at = $2, last_error = $3 WHERE id = $1`,
        [refund.id, nextCheckAt, message.slice(0, 1000)],
      );
      return;
    }
    await this.applyAnswer(refund, result, 'poll');
  }

  /** What the gateway said about our refund, applied once. */
  async applyAnswer(refund: Refund, result: RefundResult, source: string): Promise<void> {
    await this.transitions.recordGatewayIds(refund.id, { gatewayRefundId: result.gatewayRefundId });
    switch (result.status) {
      case 'succeeded':
        await this.transitions.succeed(refund.id, source);
        return;
      case 'failed':
        await this.transitions.fail(
          refund.id,
          result.failureReason ?? `${refund.gateway} reported the refund failed`,
          source,
        );
        return;
      case 'pending':
      case 'processing':
        await this.transitions.markProcessing(
          refund.id,
          new Date(Date.now() + this.config.refundPollIntervalMs),
        );
        return;
    }
  }

  private getRefund(
    gateway: PaymentGateway,
    gatewayRefundId: string,
    input: RefundInput,
  ): Promise<RefundResult> {
    if (!gateway.getRefund) throw new Error(`${gateway.name} cannot be asked about refunds`);
    return gateway.getRefund(gatewayRefundId, input);
  }

  private async refundInput(refund: Refund): Promise<RefundInput> {
    const payment = await this.payments.findById(refund.paymentId);
    if (!payment) throw new Error(`refund ${refund.id} names a payment that does not exist`);
    return {
      refundId: refund.id,
      reference: payment.reference,
      gatewayPaymentId: payment.gatewayPaymentId,
      gatewayChargeId: payment.gatewayChargeId,
      amount: refund.amount,
      currency: refund.currency,
      reason: refund.reason ?? undefined,
    };
  }

  private async statusOf(refundId: string): Promise<RefundStatus> {
    return (await this.dataSource.getRepository(Refund).findOneByOrFail({ id: refundId })).status;
  }

  private ambiguousNote(refund: Refund, what: string): string {
    const why = IDEMPOTENT_REFUND_GATEWAYS.has(refund.gateway)
      ? `a refund made by that call would not be recognised by a resend`
      : `${refund.gateway} takes no idempotency key`;
    return (
      `The call to ${refund.gateway}'s refund API ended without a definite answer (${what}). ${why}, ` +
      `so it is not sent again automatically. Look in the ${refund.gateway} dashboard for a refund of ` +
      `${refund.amount} (minor units, ${refund.currency}) on ${refund.paymentReference} noted "refund ${refund.id}", then ` +
      `resolve this refund: mark_succeeded if it is there, resend if it is not.`
    ).slice(0, 2000);
  }
}

function isOpen(refund: Refund): boolean {
  return refund.status === 'pending' || refund.status === 'processing';
}
