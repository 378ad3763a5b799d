import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../../database/sql.js';
import { notFound } from '../../../common/errors/app-error.js';
import type { ClaimCompletion } from '../../../http/idempotency/idempotency-claim.js';
import { IdempotencyService } from '../../../http/idempotency/idempotency.service.js';
import { Order } from './order.entity.js';

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
}
