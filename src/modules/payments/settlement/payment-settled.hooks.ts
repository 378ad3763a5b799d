import { Injectable } from '@nestjs/common';
import type { Minor } from '../../../common/money.js';
import type { SqlFunctionCall } from '../../../database/sql.js';

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
  /**
   * What the hook does when a payment succeeds, as one SQL function call. Settlement runs it in
   * the same statement as the state change (with its audit entry and outbox event), once the
   * payment row is written and locked: so it happens exactly once per payment, and if it raises,
   * the whole settlement rolls back. Null when the hook has nothing to do for this payment.
   *
   * Called before that statement, outside any transaction: it may look up what the call needs
   * (and create it, idempotently), but must not change anything the call is about.
   */
  effectOnSuccess(payment: SettledPayment): Promise<SqlFunctionCall | null>;
}

/**
 * Lets other modules (the wallet) act inside the settlement without the payments module depending
 * on them: they register here in onModuleInit.
 */
@Injectable()
export class PaymentSettledHooks {
  private readonly hooks: PaymentSettledHook[] = [];

  register(hook: PaymentSettledHook): void {
    this.hooks.push(hook);
  }

  /** The calls the registered hooks want run for `payment`, in registration order. */
  async effectsOf(payment: SettledPayment): Promise<SqlFunctionCall[]> {
    const calls: SqlFunctionCall[] = [];
    for (const hook of this.hooks) {
      const call = await hook.effectOnSuccess(payment);
      if (call) calls.push(call);
    }
    return calls;
  }
}
