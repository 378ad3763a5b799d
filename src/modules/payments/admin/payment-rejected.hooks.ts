import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Payment } from '../payment.entity.js';

/** Work a hook wants done once the reject has committed (e.g. enqueueing a job). */
export type AfterCommit = () => Promise<void>;

export interface PaymentRejectedHook {
  /**
   * Runs inside the admin's reject transaction, after the payment became `failed` (its
   * amount_received is what the gateway took). Throwing rolls the reject back.
   */
  onPaymentRejected(
    manager: EntityManager,
    payment: Payment,
    adminUserId: string,
  ): Promise<AfterCommit | undefined>;
}

/**
 * Lets the refunds module start the refund SPEC §6 asks for ("reject makes it failed and starts a
 * refund of what was received") in the reject's own transaction, without the payments module
 * depending on it: it registers here in onModuleInit.
 */
@Injectable()
export class PaymentRejectedHooks {
  private readonly hooks: PaymentRejectedHook[] = [];

  register(hook: PaymentRejectedHook): void {
    this.hooks.push(hook);
  }

  async run(manager: EntityManager, payment: Payment, adminUserId: string): Promise<AfterCommit[]> {
    const after: AfterCommit[] = [];
    for (const hook of this.hooks) {
      const next = await hook.onPaymentRejected(manager, payment, adminUserId);
      if (next) after.push(next);
    }
    return after;
  }
}
