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
  return { paymentId: row.id, paymentReference: reference, userId, gateway, currency: 'NGN', amount };
}

/** A settled deposit credited to the user's wallet, in the caller's transaction. */
export async function fundWallet(
  manager: EntityManager,
  wallets: WalletService,
  userId: string,
  amount: number,
): Promise<void> {
  const deposit = await settledDepositPayment(manager, userId, amount);
  const credited = await wallets.creditDeposit(manager, deposit);
  if (!credited) throw new Error(`deposit ${deposit.paymentReference} was not credited`);
}

