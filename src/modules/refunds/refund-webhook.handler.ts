import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PaymentsService } from '../payments/payments.service.js';
import {
  type InboundRefundEvent as RefundEvent,
  OnAppEvent,
  type RefundEventOutcome,
} from '../events/app-events.js';
import { OutboxService } from '../outbound-webhooks/outbox.service.js';
import { Refund } from './refund.entity.js';
import { AMOUNT_MATCHED_REFUND_GATEWAYS } from './refund-gateway-policy.js';
import { isUniqueViolation } from '../../database/pg-error.js';
import { queryRows } from '../../database/sql.js';
import { RefundTransitionsService } from './refund-transitions.service.js';
import { RefundsService } from './refunds.service.js';
import { isUuid } from '../../common/validation/uuid.js';
import { toRefundDto } from './dto/refund.dto.js';

/**
 * Finishes refunds from gateway refund webhooks (already signature-checked and stored by the
 * inbound pipeline, which also drops exact duplicates).
 *
 * An event is ours when it names our refund id (Stripe metadata.refund_id, PayPal custom_id,
 * Paystack merchant_note when present), else the gateway's id of one of our refunds, else — for
 * Paystack, whose refund events carry neither — a refund of ours on that payment for that amount
 * not yet matched to another gateway refund (its reference is recorded so it matches only once).
 * A refund recognised as ours is finished through the guarded transitions, so it is never counted
 * twice, whatever the order of webhooks, polling and the job's own answer.
 *
 * A refund we did not make (done in the gateway's dashboard) is recorded once the gateway reports
 * it succeeded, as a refund `initiated_by: gateway`, so amount_refunded tells the truth and the
 * owner gets refund.processed. Two cases are parked `unmatched` for an admin instead: a wallet
 * deposit (the wallet still holds the money; taking it out is a person's decision) and one that
 * would take the refunds above what was received.
 */
@Injectable()
export class RefundWebhookHandlerService {
  private readonly logger = new Logger(RefundWebhookHandlerService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly transitions: RefundTransitionsService,
    private readonly outbox: OutboxService,
  ) {}

  @OnAppEvent('inbound-webhook.refund')
  async handleRefundEvent(event: RefundEvent): Promise<RefundEventOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const ours = await this.findOurs(event);
        if (ours) return await this.applyToOurs(ours, event);
        return await this.recordExternal(event);
      } catch (error) {
        // two events claimed the same refund or gateway id at once: look again, the winner is there now
        if (!isUniqueViolation(error) || attempt === 2) throw error;
      }
    }
    throw new Error('unreachable');
  }

  private async findOurs(event: RefundEvent): Promise<Refund | null> {
    const repo = this.dataSource.getRepository(Refund);
    if (event.refundId && isUuid(event.refundId)) {
      const byOurId = await repo.findOneBy({ id: event.refundId, gateway: event.gateway });
      if (byOurId) return byOurId;
    }
    if (event.gatewayRefundId) {
      const byGatewayId = await repo
        .createQueryBuilder('r')
        .where('r.gateway = :gateway', { gateway: event.gateway })
        .andWhere('(r.gateway_refund_id = :id OR r.gateway_refund_reference = :id)', {
          id: event.gatewayRefundId,
        })
        .getOne();
      if (byGatewayId) return byGatewayId;
    }
    if (
      !AMOUNT_MATCHED_REFUND_GATEWAYS.has(event.gateway) ||
      !event.reference ||
      event.amount === undefined
    )
      return null;
    // Unfinished ones first (oldest first); a succeeded one only when the event has a reference to
    // claim it with, so that a refund can absorb one gateway refund and no more.
    const [candidate] = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `SELECT id FROM refunds
        WHERE gateway = $1 AND payment_reference = $2 AND amount = $3 AND initiated_by <> 'gateway'
          AND ($4::text IS NULL OR currency = $4) AND gateway_refund_reference IS NULL
          AND (status IN ('pending', 'processing') OR ($5::text IS NOT NULL AND status = 'succeeded'))
        ORDER BY status = 'succeeded', created_at, id
        LIMIT 1`,
      [
        event.gateway,
        event.reference,
        String(event.amount),
        event.currency ?? null,
        event.gatewayRefundId ?? null,
      ],
    );
    if (!candidate) return null;
    if (event.gatewayRefundId) {
      const claimed = await queryRows<{ id: string }>(
        this.dataSource.manager,
        `UPDATE refunds SET gateway_refund_reference = $2, updated_at = now()
          WHERE id = $1 AND gateway_refund_reference IS NULL RETURNING id`,
        [candidate.id, event.gatewayRefundId],
      );
      if (claimed.length === 0) return this.findOurs(event);
    }
    return repo.findOneByOrFail({ id: candidate.id });
  }

  private async applyToOurs(refund: Refund, event: RefundEvent): Promise<RefundEventOutcome> {
    const base = { paymentId: refund.paymentId };
    if (event.gatewayRefundId && !AMOUNT_MATCHED_REFUND_GATEWAYS.has(event.gateway)) {
      // Stripe re_…, PayPal refund id: the webhook may come before the job recorded the API's answer
      await this.transitions.recordGatewayIds(refund.id, {
        gatewayRefundId: event.gatewayRefundId,
      });
    }
    const status = event.refundStatus;
    switch (status) {
      case 'succeeded': {
        if (await this.transitions.succeed(refund.id, `webhook ${event.type}`))
          return { ...base, status: 'processed' };
        return this.alreadyFinished(refund.id, 'succeeded', event);
      }
      case 'failed': {
        if (
          await this.transitions.fail(
            refund.id,
            `${event.gateway} reported the refund failed (${event.type})`,
            `webhook ${event.type}`,
          )
        ) {
          return { ...base, status: 'processed' };
        }
        return this.alreadyFinished(refund.id, 'failed', event);
      }
      case 'pending':
      case 'processing':
        await this.transitions.markProcessing(refund.id, null);
        return {
          ...base,
          status: 'processed',
          note: `refund ${refund.id} is ${status} at ${event.gateway}`,
        };
      case undefined:
        return { ...base, status: 'ignored', note: 'the event carries no refund status' };
    }
  }

  /** The refund was finished before: the same outcome is a repeat, the other a contradiction. */
  private async alreadyFinished(
    refundId: string,
    reported: 'succeeded' | 'failed',
    event: RefundEvent,
  ): Promise<RefundEventOutcome> {
    const refund = await this.dataSource.getRepository(Refund).findOneByOrFail({ id: refundId });
    if (refund.status === reported) {
      return {
        status: 'ignored',
        paymentId: refund.paymentId,
        note: `refund ${refund.id} is ${refund.status} already; not counted again`,
      };
    }
    const why = `${event.gateway} reported the ${refund.status} refund ${refund.id} as ${reported} (${event.type}, inbound event ${event.inboundEventId}); recorded, not applied`;
    await this.transitions.needAttention(refund.id, why);
    return { status: 'ignored', paymentId: refund.paymentId, note: why };
  }

  private async recordExternal(event: RefundEvent): Promise<RefundEventOutcome> {
    if (event.refundId && isUuid(event.refundId)) {
      return {
        status: 'unmatched',
        note: `the event names refund ${event.refundId}, which does not exist`,
      };
    }
    if (event.refundStatus !== 'succeeded') {
      return {
        status: 'ignored',
        note: `a refund not made through this service is recorded once ${event.gateway} reports it succeeded`,
      };
    }
    const payment = event.reference ? await this.payments.findByReference(event.reference) : null;
    if (!payment || payment.gateway !== event.gateway) {
      return {
        status: 'unmatched',
        note: `no ${event.gateway} payment with reference ${event.reference ?? '(none)'} for this refund`,
      };
    }
    if (
      !event.gatewayRefundId ||
      event.amount === undefined ||
      (event.currency !== undefined && event.currency !== payment.currency)
    ) {
      return {
        status: 'unmatched',
        paymentId: payment.id,
        note: 'a refund made at the gateway without an id, amount or matching currency cannot be recorded safely',
      };
    }
    if (payment.purpose === 'wallet_deposit') {
      return {
        status: 'unmatched',
        paymentId: payment.id,
        note: `${event.gateway} refunded ${event.amount} of wallet deposit ${payment.reference} outside this service; the wallet still holds the money, so a person must decide`,
      };
    }
    const amount = event.amount;
    const gatewayRefundId = event.gatewayRefundId;
    return this.dataSource.transaction(async (manager): Promise<RefundEventOutcome> => {
      const locked = await this.payments.lockByIdForRefund(manager, payment.id);
      // Under the payment's lock, as disputes are applied: the database refuses a refund row
      // while a dispute not won exists (refunds_refuse_disputed), which failed this event on
      // every retry. The chargeback (or the merchant's acceptance, which Paystack and PayPal make
      // as a refund) already returns that money: a person decides.
      const [disputed] = await queryRows<{ status: string }>(
        manager,
        `SELECT status FROM disputes WHERE payment_id = $1 AND status <> 'won' LIMIT 1`,
        [locked.id],
      );
      if (disputed) {
        return {
          status: 'unmatched',
          paymentId: locked.id,
          note: `${event.gateway} refunded ${amount} of ${locked.reference} outside this service while it is disputed (${disputed.status}); not recorded as a refund, a person decides`,
        };
      }
      const remaining =
        (locked.amountReceived ?? 0) - (await this.refunds.committedAmount(manager, locked.id));
      if (amount > remaining) {
        return {
          status: 'unmatched',
          paymentId: locked.id,
          note: `${event.gateway} refunded ${amount} outside this service but only ${remaining} of ${locked.reference} is not refunded already`,
        };
      }
      const inserted = await queryRows<{ id: string }>(
        manager,
        `INSERT INTO refunds (payment_id, payment_reference, user_id, amount, currency, status, reason, gateway,
                              gateway_refund_id, initiated_by, completed_at)
         VALUES ($1, $2, $3, $4, $5, 'succeeded', $6, $7, $8, 'gateway', now())
         ON CONFLICT (gateway, gateway_refund_id) WHERE gateway_refund_id IS NOT NULL DO NOTHING
         RETURNING id`,
        [
          locked.id,
          locked.reference,
          locked.userId,
          String(amount),
          locked.currency,
          `made at ${event.gateway}`,
          event.gateway,
          gatewayRefundId,
        ],
      );
      if (inserted.length === 0)
        return {
          status: 'ignored',
          paymentId: locked.id,
          note: `${event.gateway} refund ${gatewayRefundId} is recorded already`,
        };
      await this.payments.applyRefundDelta(manager, locked.id, amount);
      const refund = await manager.findOneByOrFail(Refund, { id: inserted[0].id });
      await this.outbox.record(manager, {
        userId: refund.userId,
        type: 'refund.processed',
        data: toRefundDto(refund),
        occurredAt: refund.completedAt ?? new Date(),
      });
      this.logger.warn(
        `recorded ${event.gateway} refund ${gatewayRefundId} of ${amount} on ${locked.reference}, made outside this service`,
      );
      return {
        status: 'processed',
        paymentId: locked.id,
        note: `recorded refund ${refund.id}, made at ${event.gateway}`,
      };
    });
  }
}
