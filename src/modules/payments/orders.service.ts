import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../../common/errors/app-error.js';
import { Order } from './order.entity.js';
import type { Payment } from './payment.entity.js';

export interface CreateOrderInput {
  amount: number;
  currency: string;
  receipt: string;
}

@Injectable()
export class OrdersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(userId: string, input: CreateOrderInput): Promise<Order> {
    const repo = this.dataSource.getRepository(Order);
    return repo.save(
      repo.create({
        userId,
        amount: input.amount,
        currency: input.currency,
        receipt: input.receipt,
        status: 'created',
      }),
    );
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
   * Inside the settlement transaction (the payment row is already locked; the order is locked
   * after it, always in that order): the order becomes paid when a payment for its full amount
   * in its currency succeeds.
   */
  async markPaidIfCovered(
    manager: EntityManager,
    payment: Payment,
    settledAt: Date,
  ): Promise<void> {
    if (!payment.orderId || payment.amountReceived === null) return;
    const order = await manager.findOne(Order, {
      where: { id: payment.orderId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!order || order.status === 'paid') return;
    if (order.currency !== payment.currency || payment.amountReceived < order.amount) return;
    await manager.update(
      Order,
      { id: order.id },
      { status: 'paid', paidAt: settledAt, paidByPaymentId: payment.id },
    );
  }
}
