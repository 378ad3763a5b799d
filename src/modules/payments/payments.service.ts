import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AppConfig, httpOrigin } from '../../config/app-config.js';
import { notFound, unprocessable } from '../../common/errors/app-error.js';
import type { ClaimCompletion } from '../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../http/idempotency/idempotency.service.js';
import type { Minor } from '../../common/money.js';
import { GatewayRegistry } from '../gateways/gateway.registry.js';
import type { GatewayName, InitializeResult } from '../gateways/gateway.interface.js';
import { CursorPart, decodeCursor, encodeCursor } from '../../common/pagination/cursor.js';
import { OrdersService } from './orders/orders.service.js';
import { newPaymentReference, PAYMENT_REFERENCE_PATTERN } from './payment-reference.js';
import { type CaptureMode, Payment, PaymentPurpose } from './payment.entity.js';
import { queryRows } from '../../database/sql.js';

export interface CreatePaymentInput {
  amount: Minor;
  currency: string;
  email: string;
  gateway: GatewayName;
  purpose: PaymentPurpose;
  callbackUrl?: string;
  metadata?: Record<string, unknown>;
  orderId?: string;
  /** SPEC §15: `manual` only for a gateway that captures later (422 CAPTURE_NOT_SUPPORTED). */
  capture?: CaptureMode;
}

export interface PaymentFilters {
  status?: string;
  gateway?: string;
  limit: number;
  cursor?: string;
}

/** Creating and reading payments. State changes go only through SettlementService. */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly registry: GatewayRegistry,
    private readonly orders: OrdersService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Stores the payment first (so a webhook racing the answer finds it), then asks the gateway for
   * a checkout. A gateway that refuses or is down leaves the payment `failed` with the reason and
   * the error goes back to the caller; nothing can have been paid without the checkout URL, and
   * should the gateway still report money later, settlement moves failed → succeeded.
   */
  async createPayment(
    userId: string,
    input: CreatePaymentInput,
    completion?: ClaimCompletion<Payment>,
  ): Promise<Payment> {
    if (input.callbackUrl !== undefined) this.assertCallbackAllowed(input.callbackUrl);
    const currency = input.currency.toUpperCase();
    const gateway = this.registry.forCurrency(input.gateway, currency);
    if (input.capture === 'manual' && (!gateway.capture || !gateway.voidAuthorization)) {
      throw unprocessable(
        'CAPTURE_NOT_SUPPORTED',
        `${input.gateway} does not support manual capture`,
        [{ field: 'capture', message: 'manual capture needs stripe, paypal or test' }],
      );
    }
    if (input.orderId !== undefined) {
      const order = await this.orders.getForUser(userId, input.orderId);
      if (order.currency !== currency) {
        throw unprocessable(
          'ORDER_CURRENCY_MISMATCH',
          `The order is in ${order.currency}, the payment in ${currency}`,
        );
      }
      if (order.status === 'paid')
        throw unprocessable('ORDER_ALREADY_PAID', 'The order has already been paid');
    }
    const payment = await this.insertPending(userId, { ...input, currency });
    const returnUrl = `${this.config.appUrl}/api/v1/payments/callback?reference=${encodeURIComponent(payment.reference)}`;
    let result: InitializeResult;
    try {
      result = await gateway.initialize({
        reference: payment.reference,
        amount: payment.amount,
        currency,
        email: payment.email,
        returnUrl,
        metadata: { ...input.metadata, reference: payment.reference, purpose: payment.purpose },
        capture: payment.captureMode,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`initializing ${payment.reference} at ${input.gateway} failed: ${reason}`);
      await this.dataSource.getRepository(Payment).update(
        { id: payment.id, status: 'pending' },
        {
          status: 'failed',
          failureReason: `could not start the payment: ${reason}`.slice(0, 500),
          nextVerifyAt: null,
        },
      );
      throw error;
    }
    // The initialize outcome and the Idempotency-Key's answer commit together: a retry after a
    // lost reply replays this checkout instead of starting a second payment. Without a key there
    // is one row to write, in autocommit as before.
    const record = async (manager: EntityManager): Promise<Payment> => {
      await manager.update(
        Payment,
        { id: payment.id },
        {
          authorizationUrl: result.authorizationUrl,
          accessCode: result.accessCode ?? null,
          gatewayPaymentId: result.gatewayPaymentId ?? null,
        },
      );
      const started = await manager.findOneByOrFail(Payment, { id: payment.id });
      if (completion?.claim) {
        await this.idempotency.completeWithin(
          manager,
          completion.claim,
          completion.respond(started),
        );
      }
      return started;
    };
    return completion?.claim
      ? this.dataSource.transaction(record)
      : record(this.dataSource.manager);
  }

  /**
   * The public callback redirects the payer to callback_url: only to an origin the operator
   * listed (CALLBACK_ALLOWED_ORIGINS), so it can never be used as an open redirect.
   */
  private assertCallbackAllowed(callbackUrl: string): void {
    const origin = httpOrigin(callbackUrl);
    if (origin !== undefined && this.config.callbackAllowedOrigins.includes(origin)) return;
    // This service's own pages (the hosted checkout) are always a safe place to land.
    if (origin !== undefined && origin === httpOrigin(this.config.appUrl)) return;
    throw unprocessable(
      'CALLBACK_URL_NOT_ALLOWED',
      'callback_url must be on an origin listed in CALLBACK_ALLOWED_ORIGINS',
      [{ field: 'callback_url', message: `${origin ?? 'this URL'} is not an allowed origin` }],
    );
  }

  private async insertPending(userId: string, input: CreatePaymentInput): Promise<Payment> {
    const repo = this.dataSource.getRepository(Payment);
    const now = new Date();
    for (let attempt = 0; ; attempt++) {
      try {
        return await repo.save(
          repo.create({
            reference: newPaymentReference(now),
            userId,
            purpose: input.purpose,
            gateway: input.gateway,
            status: 'pending',
            amount: input.amount,
            currency: input.currency,
            amountRefunded: 0,
            refundStatus: 'none',
            email: input.email.toLowerCase(),
            callbackUrl: input.callbackUrl ?? null,
            metadata: input.metadata ?? null,
            orderId: input.orderId ?? null,
            captureMode: input.capture ?? 'automatic',
            expiresAt: new Date(now.getTime() + this.config.paymentExpiryMs),
          }),
        );
      } catch (error) {
        // 36^8 suffixes per second make a collision rare; the unique index has the last word
        if ((error as { code?: string }).code === '23505' && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** Another user's payment (or a malformed reference) reads as not found. */
  async getForUser(userId: string, reference: string): Promise<Payment> {
    if (!PAYMENT_REFERENCE_PATTERN.test(reference)) throw notFound('Payment');
    const payment = await this.dataSource.getRepository(Payment).findOneBy({ reference, userId });
    if (!payment) throw notFound('Payment');
    return payment;
  }

  /** Any owner: for public callbacks, admin and the CLI. */
  async findByReference(reference: string): Promise<Payment | null> {
    if (!PAYMENT_REFERENCE_PATTERN.test(reference)) return null;
    return this.dataSource.getRepository(Payment).findOneBy({ reference });
  }

  async findById(paymentId: string): Promise<Payment | null> {
    return this.dataSource.getRepository(Payment).findOneBy({ id: paymentId });
  }

  /**
   * For the refunds module: the payment locked FOR UPDATE in the caller's transaction, so the
   * refundable amount is checked and changed under one lock however many refunds race. `userId`
   * null (system callers) skips the owner scope; another user's payment reads as not found.
   */
  async lockForRefund(
    manager: EntityManager,
    userId: string | null,
    reference: string,
  ): Promise<Payment> {
    if (!PAYMENT_REFERENCE_PATTERN.test(reference)) throw notFound('Payment');
    const payment = await manager.findOne(Payment, {
      where: userId === null ? { reference } : { reference, userId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!payment) throw notFound('Payment');
    return payment;
  }

  async lockByIdForRefund(manager: EntityManager, paymentId: string): Promise<Payment> {
    return manager.findOneOrFail(Payment, {
      where: { id: paymentId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * Moves amount_refunded by `delta` (positive when a refund is accepted, negative when one fails)
   * and recomputes refund_status, in the caller's transaction under the lock taken above. The
   * table's CHECK refuses a total above what was received or below zero.
   */
  async applyRefundDelta(
    manager: EntityManager,
    paymentId: string,
    delta: Minor,
  ): Promise<Payment> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE payments
          SET amount_refunded = amount_refunded + $2::bigint,
              refund_status = CASE
                WHEN amount_refunded + $2::bigint = 0 THEN 'none'
                WHEN amount_refunded + $2::bigint >= coalesce(amount_received, amount) THEN 'full'
                ELSE 'partial' END,
              updated_at = now()
        WHERE id = $1
        RETURNING id`,
      [paymentId, String(delta)],
    );
    if (rows.length === 0) throw notFound('Payment');
    return manager.findOneByOrFail(Payment, { id: paymentId });
  }

  async list(
    userId: string | null,
    filters: PaymentFilters,
  ): Promise<{ payments: Payment[]; nextCursor: string | null }> {
    const limit = filters.limit;
    const [after] = decodeCursor(filters.cursor, [CursorPart.uuid]) ?? [];
    const query = this.dataSource.getRepository(Payment).createQueryBuilder('p');
    if (userId !== null) query.andWhere('p.user_id = :userId', { userId });
    if (filters.status) query.andWhere('p.status = :status', { status: filters.status });
    if (filters.gateway) query.andWhere('p.gateway = :gateway', { gateway: filters.gateway });
    if (after) {
      query.andWhere(
        '(p.created_at, p.id) < (SELECT c.created_at, c.id FROM payments c WHERE c.id = :after)',
        { after },
      );
    }
    const rows = await query
      .orderBy('p.createdAt', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    return {
      payments: page,
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
    };
  }
}
