import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Minor } from '../../common/money.js';

/** What a hook learns about a payment that has just succeeded. */
export interface SettledPayment {
  id: string;
  reference: string;
  userId: string;
  /** 'payment' for plain payments, 'wallet_deposit' for wallet top-ups. */
  purpose: string;
  gateway: string;
  currency: string;
  /** What the gateway actually received (equals the requested amount unless an admin accepted a mismatch). */
  amountReceived: Minor;
  settledAt: Date;
}

export interface PaymentSettledHook {
  /** Runs inside the settlement transaction, exactly once per payment; throwing rolls it back. */
  onPaymentSucceeded(manager: EntityManager, payment: SettledPayment): Promise<void>;
}

/**
 * Lets other modules (the wallet) act inside the settlement transaction without the payments
 * module depending on them: they register here in onModuleInit.
 */
@Injectable()
export class PaymentSettledHooks {
  private readonly hooks: PaymentSettledHook[] = [];

  register(hook: PaymentSettledHook): void {
    this.hooks.push(hook);
  }

  async run(manager: EntityManager, payment: SettledPayment): Promise<void> {
    for (const hook of this.hooks) await hook.onPaymentSucceeded(manager, payment);
  }
}
