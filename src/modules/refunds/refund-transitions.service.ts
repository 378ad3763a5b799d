import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { PaymentsService } from '../payments/payments.service.js';
import { WalletService } from '../wallet/wallet.service.js';
import { OutboxService } from '../outbound-webhooks/outbox.service.js';
import { Refund } from './refund.entity.js';
import { queryRows } from '../../database/sql.js';
import { toRefundDto } from './dto/refund.dto.js';

export interface GatewayRefundIds {
  gatewayRefundId?: string | null;
  gatewayRefundReference?: string | null;
}

/**
 * Every change of a refund's state. Each one is a guarded `UPDATE … WHERE status IN ('pending',
 * 'processing') RETURNING`, so when the refund job's own answer, a gateway webhook, polling and an
 * admin race to finish the same refund exactly one of them does it, and the outbound event, the
 * payment's amount_refunded and the wallet move once, in the transaction that finishes it.
 */
@Injectable()
export class RefundTransitionsService {
  private readonly logger = new Logger(RefundTransitionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payments: PaymentsService,
    private readonly wallets: WalletService,
    private readonly outbox: OutboxService,
  ) {}

  /** Keeps the gateway's ids of a refund (first one wins), whatever its state. */
  async recordGatewayIds(refundId: string, ids: GatewayRefundIds): Promise<void> {
    if (!ids.gatewayRefundId && !ids.gatewayRefundReference) return;
    await queryRows(
      this.dataSource.manager,
      `UPDATE refunds
          SET gateway_refund_id = coalesce(gateway_refund_id, $2),
              gateway_refund_reference = coalesce(gateway_refund_reference, $3),
              updated_at = now()
        WHERE id = $1`,
      [refundId, ids.gatewayRefundId ?? null, ids.gatewayRefundReference ?? null],
    );
  }

  /** The gateway has the refund and is still working on it: `processing`, asked again later. */
  async markProcessing(refundId: string, nextCheckAt: Date | null): Promise<boolean> {
    const updated = await queryRows<{ id: string }>(
      this.dataSource.manager,
      `UPDATE refunds
          SET status = 'processing', next_check_at = coalesce($2, next_check_at), last_error = NULL, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'processing')
        RETURNING id`,
      [refundId, nextCheckAt],
    );
    return updated.length > 0;
  }

  /** → succeeded with refund.processed, once. Null when it was already finished. */
  async succeed(refundId: string, source: string): Promise<Refund | null> {
    const refund = await this.dataSource.transaction(async (manager) => {
      const updated = await queryRows<{ id: string }>(
        manager,
        `UPDATE refunds
            SET status = 'succeeded', completed_at = now(), updated_at = now(), needs_attention = NULL,
                next_check_at = NULL, gateway_call_started_at = NULL, last_error = NULL
          WHERE id = $1 AND status IN ('pending', 'processing')
          RETURNING id`,
        [refundId],
      );
      if (updated.length === 0) return null;
      const done = await manager.findOneByOrFail(Refund, { id: refundId });
      await this.recordEvent(manager, done);
      return done;
    });
    if (refund)
      this.logger.log(`refund ${refundId} of ${refund.paymentReference} succeeded (${source})`);
    return refund;
  }

  /**
   * → failed with refund.failed, once: in the same transaction the payment's amount_refunded gives
   * the amount back (it may be refunded again) and a deposit's wallet debit is reversed through
   * the ledger. The payment row is locked before the refund row, the order refund creation uses.
   */
  async fail(refundId: string, reason: string, source: string): Promise<Refund | null> {
    const refund = await this.dataSource.transaction(async (manager) => {
      const snapshot = await manager.findOneBy(Refund, { id: refundId });
      if (!snapshot || (snapshot.status !== 'pending' && snapshot.status !== 'processing'))
        return null;
      await this.payments.lockByIdForRefund(manager, snapshot.paymentId);
      const updated = await queryRows<{ id: string }>(
        manager,
        `UPDATE refunds
            SET status = 'failed', failure_reason = $2, completed_at = now(), updated_at = now(),
                needs_attention = NULL, next_check_at = NULL, gateway_call_started_at = NULL
          WHERE id = $1 AND status IN ('pending', 'processing')
          RETURNING id`,
        [refundId, reason.slice(0, 1000)],
      );
      if (updated.length === 0) return null;
      const done = await manager.findOneByOrFail(Refund, { id: refundId });
      await this.payments.applyRefundDelta(manager, done.paymentId, -done.amount);
      if (done.walletDebited) {
        const reversal = await this.wallets.reverseRefundDebit(manager, {
          userId: done.userId,
          refundId: done.id,
        });
        if (!reversal)
          throw new Error(
            `refund ${done.id} is marked as having debited the wallet but no debit exists`,
          );
      }
      await this.recordEvent(manager, done);
      return done;
    });
    if (refund)
      this.logger.warn(
        `refund ${refundId} of ${refund.paymentReference} failed (${source}): ${reason}`,
      );
    return refund;
  }

  /** Parks an open refund for a person; the job leaves it alone until an admin resolves it. */
  async needAttention(refundId: string, why: string): Promise<void> {
    await queryRows(
      this.dataSource.manager,
      `UPDATE refunds SET needs_attention = $2, updated_at = now() WHERE id = $1`,
      [refundId, why.slice(0, 2000)],
    );
    this.logger.error(`refund ${refundId} needs attention: ${why}`);
  }

  private async recordEvent(manager: EntityManager, refund: Refund): Promise<void> {
    await this.outbox.record(manager, {
      userId: refund.userId,
      type: refund.status === 'succeeded' ? 'refund.processed' : 'refund.failed',
      data: toRefundDto(refund),
      occurredAt: refund.completedAt ?? new Date(),
    });
  }
}
