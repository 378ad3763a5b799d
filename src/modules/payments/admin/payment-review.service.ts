import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { notFound, unprocessable } from '../../../common/errors/app-error.js';
import { PAYMENT_REFERENCE_PATTERN } from '../payment-reference.js';
import { Payment } from '../payment.entity.js';
import { SettlementService } from '../settlement/settlement.service.js';
import { type AfterCommit, AppEvents } from '../../events/app-events.js';

export type ReviewAction = 'accept' | 'reject';

/**
 * An admin's decision on a `needs_review` payment, under the payment's row lock, recorded with who
 * and when. accept → `succeeded` for what the gateway actually received ('payment.succeeded':
 * a deposit credits that amount); reject → `failed`, keeping what was received in
 * amount_received, and 'payment.rejected' (the refunds module) starts the refund of it in the
 * same transaction.
 */
@Injectable()
export class PaymentReviewService {
  private readonly logger = new Logger(PaymentReviewService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settlement: SettlementService,
    private readonly events: AppEvents,
  ) {}

  async resolve(
    reference: string,
    action: ReviewAction,
    note: string,
    adminUserId: string,
  ): Promise<Payment> {
    if (!PAYMENT_REFERENCE_PATTERN.test(reference)) throw notFound('Payment');
    let afterCommit: AfterCommit[] = [];
    const resolved = await this.dataSource.transaction(async (manager) => {
      const payment = await manager.findOne(Payment, {
        where: { reference },
        lock: { mode: 'pessimistic_write' },
      });
      if (!payment) throw notFound('Payment');
      if (payment.status !== 'needs_review') {
        throw unprocessable(
          'PAYMENT_NOT_IN_REVIEW',
          `The payment is ${payment.status}; only needs_review payments can be resolved`,
        );
      }
      const now = new Date();
      const sameCurrency = payment.reportedCurrency === payment.currency;
      const received =
        sameCurrency && payment.reportedAmount !== null && payment.reportedAmount > 0
          ? payment.reportedAmount
          : null;
      if (action === 'accept' && received === null) {
        throw unprocessable(
          'PAYMENT_NOT_ACCEPTABLE',
          `The gateway reported ${payment.reportedAmount ?? 'no amount'} ${payment.reportedCurrency ?? ''}; only an amount in ${payment.currency} can be accepted. Reject it instead.`,
        );
      }
      const common = { resolvedBy: adminUserId, resolvedAt: now, resolutionNote: note };
      if (action === 'accept') {
        await manager.update(
          Payment,
          { id: payment.id },
          {
            ...common,
            status: 'succeeded',
            resolution: 'accepted',
            amountReceived: received,
            settledAt: now,
          },
        );
      } else {
        await manager.update(
          Payment,
          { id: payment.id },
          {
            ...common,
            status: 'failed',
            resolution: 'rejected',
            amountReceived: received,
            failureReason: `rejected on review: ${note}`.slice(0, 500),
          },
        );
      }
      let updated = await manager.findOneByOrFail(Payment, { id: payment.id });
      if (action === 'reject') {
        const after = await this.events.emit('payment.rejected', manager, updated, adminUserId);
        afterCommit = after.filter((run) => run !== undefined);
        // the refund moved amount_refunded: payment.failed below reports the payment as it now is
        updated = await manager.findOneByOrFail(Payment, { id: payment.id });
      }
      await this.settlement.audit(
        manager,
        payment,
        action,
        { source: 'admin', actorUserId: adminUserId },
        payment.status,
        updated.status,
        note,
        null,
      );
      await this.settlement.afterTransition(manager, updated);
      return updated;
    });
    for (const run of afterCommit) {
      // the work is recorded in the database already; its own sweeper retries what fails here
      await run().catch((error: unknown) =>
        this.logger.warn(`after reject of ${reference}: ${String(error)}`),
      );
    }
    return resolved;
  }
}
