import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { DepositCredit, WalletService } from '../../src/modules/wallet/wallet.service.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function paymentReference(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  let suffix = '';
  for (const byte of randomBytes(8)) suffix += ALPHABET[byte % ALPHABET.length];
  return `PAY-${stamp}-${suffix}`;
}

/**
 * Writes a succeeded wallet-deposit payment as settlement leaves it, and returns the credit that
 * settlement would then post. Tests fund wallets this way so the ledger check's deposit
 * cross-check (every credit is a settled payment) holds, without a gateway round trip.
 */
export async function settledDepositPayment(
  manager: EntityManager,
  userId: string,
  amount: number,
  gateway = 'paystack',
): Promise<DepositCredit> {
  const reference = paymentReference();
  const [row] = await manager.query<{ id: string }[]>(
    `INSERT INTO payments (reference, user_id, purpose, gateway, status, amount, currency, amount_received,
                           email, expires_at, settled_at)
     VALUES ($1, $2, 'wallet_deposit', $3, 'succeeded', $4, 'NGN', $4, 'fixture@example.com',
             now() + interval '1 day', now())
     RETURNING id`,
    [reference, userId, gateway, amount],
  );
  return {
    paymentId: row.id,
    paymentReference: reference,
    userId,
    gateway,
    currency: 'NGN',
    amount,
  };
}

/** A settled deposit credited to the user's wallet, in the caller's transaction. */
export async function fundWallet(
  manager: EntityManager,
  wallets: WalletService,
  userId: string,
  amount: number,
): Promise<DepositCredit> {
  const deposit = await settledDepositPayment(manager, userId, amount);
  const credited = await wallets.creditDeposit(manager, deposit);
  if (!credited) throw new Error(`deposit ${deposit.paymentReference} was not credited`);
  return deposit;
}

export interface WalletRefund {
  refundId: string;
  userId: string;
  paymentId: string;
  amount: number;
}

/**
 * Refunds part of a wallet deposit as the refunds module does at request time: the refund row,
 * the payment's amount_refunded, and the wallet debit, in the caller's transaction (an
 * INSUFFICIENT_FUNDS from the debit rolls all of it back).
 */
export async function refundDeposit(
  manager: EntityManager,
  wallets: WalletService,
  deposit: DepositCredit,
  amount: number,
): Promise<WalletRefund> {
  const [refund] = await manager.query<{ id: string }[]>(
    `INSERT INTO refunds (payment_id, payment_reference, user_id, amount, currency, gateway, initiated_by, wallet_debited)
     VALUES ($1, $2, $3, $4, 'NGN', $5, 'user', true) RETURNING id`,
    [deposit.paymentId, deposit.paymentReference, deposit.userId, amount, deposit.gateway],
  );
  await manager.query(
    `UPDATE payments SET amount_refunded = amount_refunded + $2,
            refund_status = CASE WHEN amount_refunded + $2 = amount_received THEN 'full' ELSE 'partial' END
      WHERE id = $1`,
    [deposit.paymentId, amount],
  );
  await wallets.debitForRefund(manager, {
    userId: deposit.userId,
    refundId: refund.id,
    amount,
    currency: deposit.currency,
    gateway: deposit.gateway,
  });
  return { refundId: refund.id, userId: deposit.userId, paymentId: deposit.paymentId, amount };
}

/** The gateway refused the refund: it fails and the wallet gets the money back. */
export async function failRefund(
  manager: EntityManager,
  wallets: WalletService,
  refund: WalletRefund,
): Promise<void> {
  await manager.query(
    `UPDATE refunds SET status = 'failed', failure_reason = 'declined by the gateway', completed_at = now() WHERE id = $1`,
    [refund.refundId],
  );
  await manager.query(
    `UPDATE payments SET amount_refunded = amount_refunded - $2,
            refund_status = CASE WHEN amount_refunded - $2 = 0 THEN 'none' ELSE 'partial' END
      WHERE id = $1`,
    [refund.paymentId, refund.amount],
  );
  const reversal = await wallets.reverseRefundDebit(manager, {
    userId: refund.userId,
    refundId: refund.refundId,
  });
  if (!reversal) throw new Error(`refund ${refund.refundId} had no wallet debit to reverse`);
}
