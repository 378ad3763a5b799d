import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound, unprocessable } from '../../common/errors/app-error.js';
import type { IdempotencyClaim } from '../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../http/idempotency/idempotency.service.js';
import { minorFromDb, type Minor } from '../../common/money.js';
import { AppConfig } from '../../config/app-config.js';
import { JobName, QueueName } from '../../queue/queue-names.js';
import { QueueProducer } from '../../queue/queue-producer.service.js';
import type { GatewayName } from '../gateways/gateway.interface.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { Payment } from '../payments/payment.entity.js';
import { PaymentsService } from '../payments/payments.service.js';
import { type AfterCommit, OnAppEvent } from '../events/app-events.js';
import { WalletService } from '../wallet/wallet.service.js';
import { Refund, RefundInitiator } from './refund.entity.js';
import { ProcessRefundJob, refundJobId, refundJobOptions } from './refund-jobs.js';
import { isUuid } from '../../common/validation/uuid.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../common/pagination/cursor.js';
import { queryRows } from '../../database/sql.js';
import { sqlStateOf } from '../../database/pg-error.js';
import { toRefundCreatedDto } from './dto/refund.dto.js';

export interface RefundRequest {
  amount?: Minor;
  reason?: string;
}

interface NewRefund {
  amount?: Minor;
  reason: string | null;
  initiatedBy: RefundInitiator;
  initiatedByUserId: string | null;
  /** A deposit's refund takes the money out of the wallet now (422 INSUFFICIENT_FUNDS if spent). */
  debitWallet: boolean;
}

const LIVE_JOB_STATES = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
]);

/** Accepting refunds (under the payment's row lock) and reading them. */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Refunds) private readonly queue: Queue,
    private readonly config: AppConfig,
    private readonly producer: QueueProducer,
    private readonly payments: PaymentsService,
    private readonly wallets: WalletService,
    private readonly registry: GatewayRegistry,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * A user's refund of their own succeeded payment. Everything is decided and written in one
   * transaction under the payment's row lock: the remaining amount, the refund row, the payment's
   * amount_refunded, a deposit's wallet debit and the Idempotency-Key's answer. The gateway is
   * called afterwards by the job (or, when the request failed after the commit, by the sweep of
   * refunds whose job is missing: REFUND_SWEEP_AFTER).
   */
  async requestRefund(
    userId: string,
    reference: string,
    request: RefundRequest,
    idempotency: IdempotencyClaim | null = null,
  ): Promise<Refund> {
    const refund = await this.dataSource.transaction(async (manager) => {
      const payment = await this.payments.lockForRefund(manager, userId, reference);
      if (payment.status !== 'succeeded') {
        throw unprocessable(
          'PAYMENT_NOT_REFUNDABLE',
          `The payment is ${payment.status}; only a succeeded payment can be refunded`,
        );
      }
      // 422 GATEWAY_DISABLED now rather than a refund that can only fail later
      this.registry.get(payment.gateway as GatewayName);
      const created = await this.createUnderLock(manager, payment, {
        amount: request.amount,
        reason: request.reason ?? null,
        initiatedBy: 'user',
        initiatedByUserId: userId,
        debitWallet: payment.purpose === 'wallet_deposit',
      });
      await this.idempotency.completeWithin(manager, idempotency, toRefundCreatedDto(created));
      return created;
    });
    await this.enqueue(refund.id);
    return refund;
  }

  /** SPEC §6: an admin's reject starts a refund of what was received, enqueued after its commit. */
  @OnAppEvent('payment.rejected')
  async onPaymentRejected(
    manager: EntityManager,
    payment: Payment,
    adminUserId: string,
  ): Promise<AfterCommit | undefined> {
    const refund = await this.startRejectionRefund(manager, payment, adminUserId);
    if (!refund) return undefined;
    return async () => {
      await this.enqueue(refund.id);
    };
  }

  /**
   * SPEC §6: an admin's reject "starts a refund of what was received". Runs inside the reject's
   * transaction, which holds the payment's row lock. The wallet was never credited for a payment
   * that went to review, so nothing is taken from it. Returns null when nothing is left to refund.
   */
  async startRejectionRefund(
    manager: EntityManager,
    payment: Payment,
    adminUserId: string,
  ): Promise<Refund | null> {
    const received = payment.amountReceived ?? 0;
    if (received <= 0) return null;
    const remaining = received - (await this.committedAmount(manager, payment.id));
    if (remaining <= 0) return null;
    return this.createUnderLock(manager, payment, {
      amount: remaining,
      reason: 'payment rejected on review',
      initiatedBy: 'admin',
      initiatedByUserId: adminUserId,
      debitWallet: false,
    });
  }

  /** Must run in a transaction holding the payment's row lock. */
  private async createUnderLock(
    manager: EntityManager,
    payment: Payment,
    input: NewRefund,
  ): Promise<Refund> {
    const received = payment.amountReceived ?? 0;
    const committed = await this.committedAmount(manager, payment.id);
    const remaining = received - committed;
    const amount = input.amount ?? remaining;
    if (remaining <= 0 || amount > remaining) {
      throw unprocessable(
        'REFUND_EXCEEDS_REMAINING',
        remaining <= 0
          ? 'The payment has been refunded in full already'
          : `At most ${remaining} ${payment.currency} of this payment can still be refunded`,
        [
          {
            field: 'amount',
            message: `must be at most ${Math.max(remaining, 0)}`,
            remaining: Math.max(remaining, 0),
          },
        ],
      );
    }
    const id = randomUUID();
    // The database refuses a refund while a dispute on the payment is not won (SPEC §17).
    await manager
      .insert(Refund, {
        id,
        paymentId: payment.id,
        paymentReference: payment.reference,
        userId: payment.userId,
        amount,
        currency: payment.currency,
        status: 'pending',
        reason: input.reason,
        gateway: payment.gateway,
        initiatedBy: input.initiatedBy,
        initiatedByUserId: input.initiatedByUserId,
        walletDebited: input.debitWallet,
      })
      .catch((error: unknown) => {
        throw sqlStateOf(error) === 'DP001'
          ? unprocessable(
              'PAYMENT_DISPUTED',
              'The payment is disputed: the dispute returns the money, not a refund',
            )
          : error;
      });
    await this.payments.applyRefundDelta(manager, payment.id, amount);
    if (input.debitWallet) {
      await this.wallets.debitForRefund(manager, {
        userId: payment.userId,
        refundId: id,
        amount,
        currency: payment.currency,
        gateway: payment.gateway,
      });
    }
    return manager.findOneByOrFail(Refund, { id });
  }

  /** What refunds that have not failed hold of the payment: the refundable remainder is the rest. */
  async committedAmount(manager: EntityManager, paymentId: string): Promise<Minor> {
    const [row] = await queryRows<{ total: string }>(
      manager,
      `SELECT coalesce(sum(amount), 0)::text AS total FROM refunds WHERE payment_id = $1 AND status <> 'failed'`,
      [paymentId],
    );
    return minorFromDb(row.total);
  }

  /**
   * After commit. While Redis is down the refund stays `pending` in the database and the
   * reconciliation job enqueues it once Redis is back.
   */
  async enqueue(refundId: string): Promise<boolean> {
    const queued = await this.producer.tryEnqueue(
      QueueName.Refunds,
      JobName.ProcessRefund,
      { refundId } satisfies ProcessRefundJob,
      refundJobOptions(this.config, refundId),
    );
    if (queued)
      await queryRows(
        this.dataSource.manager,
        `UPDATE refunds SET enqueued_at = now() WHERE id = $1`,
        [refundId],
      );
    return queued;
  }

  /**
   * From the worker side (sweeper, admin resend): replaces a finished job of the refund so the
   * deterministic job id can be used again; a job still waiting or running is left to it.
   */
  async enqueueReplacing(refundId: string): Promise<boolean> {
    const existing = await this.queue.getJob(refundJobId(refundId));
    if (existing) {
      if (LIVE_JOB_STATES.has(await existing.getState())) return false;
      await existing.remove();
    }
    await this.queue.add(
      JobName.ProcessRefund,
      { refundId } satisfies ProcessRefundJob,
      refundJobOptions(this.config, refundId),
    );
    await queryRows(
      this.dataSource.manager,
      `UPDATE refunds SET enqueued_at = now() WHERE id = $1`,
      [refundId],
    );
    this.logger.log(`enqueued refund ${refundId} again`);
    return true;
  }

  /** Another user's refund reads as not found. */
  async getForUser(userId: string, refundId: string): Promise<Refund> {
    if (!isUuid(refundId)) throw notFound('Refund');
    const refund = await this.dataSource.getRepository(Refund).findOneBy({ id: refundId, userId });
    if (!refund) throw notFound('Refund');
    return refund;
  }

  async findById(refundId: string): Promise<Refund | null> {
    if (!isUuid(refundId)) return null;
    return this.dataSource.getRepository(Refund).findOneBy({ id: refundId });
  }

  /** The refunds of one of the user's payments, newest first (404 for another user's payment). */
  async listForPayment(
    userId: string,
    reference: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ refunds: Refund[]; nextCursor: string | null }> {
    const payment = await this.payments.getForUser(userId, reference);
    return this.page({ paymentId: payment.id }, page);
  }

  async list(
    filters: { paymentId?: string; status?: string; needsAttention?: boolean },
    page: { limit: number; cursor?: string },
  ): Promise<{ refunds: Refund[]; nextCursor: string | null }> {
    return this.page(filters, page);
  }

  private async page(
    filters: { paymentId?: string; status?: string; needsAttention?: boolean },
    page: { limit: number; cursor?: string },
  ): Promise<{ refunds: Refund[]; nextCursor: string | null }> {
    const limit = page.limit;
    const [after] = decodeCursor(page.cursor, [CursorPart.uuid]) ?? [];
    const query = this.dataSource.getRepository(Refund).createQueryBuilder('r');
    if (filters.paymentId)
      query.andWhere('r.payment_id = :paymentId', { paymentId: filters.paymentId });
    if (filters.status) query.andWhere('r.status = :status', { status: filters.status });
    if (filters.needsAttention !== undefined) {
      query.andWhere(
        filters.needsAttention ? 'r.needs_attention IS NOT NULL' : 'r.needs_attention IS NULL',
      );
    }
    if (after) {
      query.andWhere(
        '(r.created_at, r.id) < (SELECT c.created_at, c.id FROM refunds c WHERE c.id = :after)',
        { after },
      );
    }
    const found = await query
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const refunds = found.slice(0, limit);
    return {
      refunds,
      nextCursor: found.length > limit ? encodeCursor(refunds[refunds.length - 1].id) : null,
    };
  }
}
