import type { Minor } from '../../common/money.js';

export const LEDGER_TRANSFER_KINDS = [
  'deposit',
  'transfer',
  'refund',
  'refund_reversal',
  'withdrawal',
  'withdrawal_settlement',
  'withdrawal_reversal',
] as const;
export type LedgerTransferKind = (typeof LEDGER_TRANSFER_KINDS)[number];

export interface PostingLine {
  accountId: string;
  /** Positive credits the account, negative debits it. */
  amount: Minor;
}

export interface PostingInput {
  kind: LedgerTransferKind;
  /** Unique per thing being moved (`deposit:<payment id>`): posting the same key twice moves money once. */
  key: string;
  /** Shown to people: `TRF-…` for transfers, the payment reference for deposits. */
  reference: string;
  narration?: string | null;
  /** Only for `refund_reversal`: the transfer being undone. */
  reversesTransferId?: string | null;
  /** Two or more distinct accounts in one currency; amounts non-zero and summing to zero. */
  lines: PostingLine[];
}

export interface PostedEntry {
  /** The entry id (bigint, as a decimal string): the wallet transaction id. */
  id: string;
  accountId: string;
  amount: Minor;
  balanceAfter: Minor;
}

export interface PostedTransfer {
  id: string;
  /** False when a transfer with this key already existed: nothing moved, it is returned as it was. */
  created: boolean;
  createdAt: Date;
  entries: PostedEntry[];
}

export interface LedgerAccountRef {
  id: string;
  currency: string;
}
