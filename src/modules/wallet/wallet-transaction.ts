import type { Minor } from '../../common/money.js';
import type { WalletTransactionDto } from './dto/wallet.dto.js';

export const WALLET_TRANSACTION_TYPES = [
  'deposit',
  'transfer_in',
  'transfer_out',
  'refund',
  'refund_reversal',
  'withdrawal',
  'withdrawal_reversal',
  'dispute_hold',
  'dispute_release',
] as const;
export type WalletTransactionType = (typeof WALLET_TRANSACTION_TYPES)[number];

/** `reversed` marks a refund debit that was given back because the gateway refund failed. */
export type WalletTransactionStatus = 'success' | 'reversed';

/** SQL for the wallet transaction type of entry `e` in transfer `t`, for filtering by type. */
export const WALLET_TRANSACTION_TYPE_SQL = `ledger_wallet_transaction_type(t.kind, e.amount)`;

/**
 * One wallet's side of a ledger transfer, as `GET /wallet/transactions` and the wallet events show
 * it: built by the database function `ledger_wallet_transaction(entry id)` (db/schema.sql), so the
 * history and the events cannot disagree, and checked here before it leaves the process (money
 * fields must be safe integers).
 */
export function toWalletTransactionDto(value: unknown): WalletTransactionDto {
  if (typeof value !== 'object' || value === null) throw new Error('wallet transaction is missing');
  const view = value as Record<string, unknown>;
  for (const field of ['amount', 'balance_after'] as const) {
    if (!Number.isSafeInteger(view[field]))
      throw new RangeError(`wallet transaction ${field} is not a safe integer`);
  }
  if (!(WALLET_TRANSACTION_TYPES as readonly unknown[]).includes(view.type)) {
    throw new Error(`unknown wallet transaction type ${String(view.type)}`);
  }
  return {
    id: String(view.id),
    type: view.type as WalletTransactionType,
    amount: view.amount as Minor,
    currency: String(view.currency),
    status: view.status === 'reversed' ? 'reversed' : 'success',
    reference: String(view.reference),
    counterparty_wallet_number:
      typeof view.counterparty_wallet_number === 'string' ? view.counterparty_wallet_number : null,
    narration: typeof view.narration === 'string' ? view.narration : null,
    balance_after: view.balance_after as Minor,
    created_at: String(view.created_at),
  };
}
