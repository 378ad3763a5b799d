import { minorFromDb, type Minor } from '../../common/money.js';
import type { LedgerTransferKind } from './ledger.types.js';

export const WALLET_TRANSACTION_TYPES = [
  'deposit',
  'transfer_in',
  'transfer_out',
  'refund',
  'refund_reversal',
] as const;
export type WalletTransactionType = (typeof WALLET_TRANSACTION_TYPES)[number];

/** `reversed` marks a refund debit that was given back because the gateway refund failed. */
export type WalletTransactionStatus = 'success' | 'reversed';

/** One wallet's side of a ledger transfer, as `GET /wallet/transactions` and wallet events show it. */
export interface WalletTransactionView {
  id: string;
  type: WalletTransactionType;
  /** Always positive; `type` says which way it went. */
  amount: Minor;
  currency: string;
  status: WalletTransactionStatus;
  reference: string;
  counterparty_wallet_number: string | null;
  narration: string | null;
  balance_after: Minor;
  created_at: string;
}

export function walletTransactionType(kind: LedgerTransferKind, amount: Minor): WalletTransactionType {
  switch (kind) {
    case 'transfer':
      return amount > 0 ? 'transfer_in' : 'transfer_out';
    case 'deposit':
    case 'refund':
    case 'refund_reversal':
      return kind;
  }
}

/** The SQL twin of walletTransactionType, for filtering by type in the database. */
export const WALLET_TRANSACTION_TYPE_SQL = `CASE WHEN t.kind = 'transfer'
  THEN CASE WHEN e.amount > 0 THEN 'transfer_in' ELSE 'transfer_out' END ELSE t.kind END`;

export interface WalletTransactionRow {
  id: string;
  kind: LedgerTransferKind;
  amount: string | number;
  balance_after: string | number;
  currency: string;
  reference: string;
  narration: string | null;
  counterparty_wallet_number: string | null;
  reversed: boolean;
  created_at: Date;
}

export function toWalletTransactionView(row: WalletTransactionRow): WalletTransactionView {
  const amount = minorFromDb(row.amount);
  return {
    id: String(row.id),
    type: walletTransactionType(row.kind, amount),
    amount: Math.abs(amount),
    currency: row.currency.trim(),
    status: row.reversed ? 'reversed' : 'success',
    reference: row.reference,
    counterparty_wallet_number: row.counterparty_wallet_number?.trim() ?? null,
    narration: row.narration,
    balance_after: minorFromDb(row.balance_after),
    created_at: new Date(row.created_at).toISOString(),
  };
}
