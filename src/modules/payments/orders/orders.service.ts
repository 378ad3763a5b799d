import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryRows, type SqlParams } from '../../../database/sql.js';
import { notFound } from '../../../common/errors/app-error.js';
import type { ClaimCompletion } from '../../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../../http/idempotency/idempotency.service.js';
import { Order } from './order.entity.js';
import type { Payment } from '../payment.entity.js';

export interface CreateOrderInput {
  amount: number;
  currency: string;
  receipt: string;
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** The order and the Idempotency-Key's answer commit together. */
  async create(
    userId: string,
    input: CreateOrderInput,
    completion?: ClaimCompletion<Order>,
  ): Promise<Order> {
    return this.dataSource.transaction(async (manager) => {
      const order = await manager.save(
        manager.create(Order, {
          userId,
          amount: input.amount,
          currency: input.currency,
          receipt: input.receipt,
          status: 'created',
        }),
      );
      if (completion) {
        await this.idempotency.completeWithin(manager, completion.claim, completion.respond(order));
      }
      return order;
    });
  }

  /** Another owner's order reads as not found. */
  async getForUser(
    userId: string,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Order> {
    const order = await manager.findOne(Order, { where: { id, userId } });
    if (!order) throw notFound('Order');
    return order;
  }

  /**
   * Whether another payment has already paid the order, read under the order's row lock (held
   * until the caller's transaction ends): settlement decides a success for an order on it.
   */
  async lockPaidByAnother(
    manager: EntityManager,
    orderId: string,
    paymentId: string,
  ): Promise<boolean> {
    const rows = await queryRows<{ paid_by_payment_id: string | null; status: string }>(
      manager,
      `SELECT status, paid_by_payment_id FROM orders WHERE id = $1 FOR UPDATE`,
      [orderId],
    );
    const order = rows[0];
    return order !== undefined && order.status === 'paid' && order.paid_by_payment_id !== paymentId;
  }

  /**
   * The UPDATE that marks a payment's order paid, as a part of the settlement statement, run for
   * each row of `source` (the CTE that yields the payment when its success is written): the order
   * becomes paid when the payment covers its full amount in its currency. The UPDATE takes the
   * order's row lock after the payment's, always in that order, and checks the order as it is
   * under that lock. Null when the payment is for no order.
   */
  markPaidSql(payment: Payment, settledAt: Date, params: SqlParams, source: string): string | null {
    if (!payment.orderId || payment.amountReceived === null) return null;
    return `UPDATE orders o SET status = 'paid', paid_at = ${params.add(settledAt)},
                   paid_by_payment_id = ${params.add(payment.id)}, updated_at = now()
              FROM ${source}
             WHERE o.id = ${params.add(payment.orderId)} AND o.status <> 'paid'
               AND o.currency = ${params.add(payment.currency)}
               AND o.amount <= ${params.add(String(payment.amountReceived))}`;
  }
}
