import type { LedgerCheck } from '../ledger/ledger-check.service.js';

const SAMPLE = 50;

/**
 * Refund invariants added to the ledger check: every wallet refund debit belongs to a refund that
 * took it, a reversal only follows a failed refund, a failed deposit refund was given back, and a
 * payment's amount_refunded is exactly the sum of its refunds that have not failed.
 */
export const REFUND_LEDGER_CHECKS: LedgerCheck[] = [
  {
    name: 'refund_debit_matches_refund',
    message: (row) =>
      `wallet refund debit ${row.key} of ${row.debited} has ${row.refund_id ? `refund for ${row.amount}` : 'no refund'} that took it`,
    sql: `
      SELECT t.id, t.key, (-e.amount)::text AS debited, r.id AS refund_id, r.amount::text AS amount
        FROM ledger_transfers t
        JOIN ledger_entries e ON e.transfer_id = t.id AND e.amount < 0
        JOIN ledger_accounts a ON a.id = e.account_id AND a.kind = 'user_wallet'
        LEFT JOIN refunds r ON r.id::text = substr(t.key, length('refund:') + 1)
       WHERE t.kind = 'refund'
         AND (r.id IS NULL OR NOT r.wallet_debited OR r.amount <> -e.amount OR r.user_id <> a.user_id)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'refund_reversal_follows_failed_refund',
    message: (row) =>
      `refund reversal ${row.key} gives money back for a refund that is ${row.status ?? 'missing'}`,
    sql: `
      SELECT t.id, t.key, r.status FROM ledger_transfers t
        LEFT JOIN refunds r ON r.id::text = substr(t.key, length('refund_reversal:') + 1)
       WHERE t.kind = 'refund_reversal' AND (r.id IS NULL OR r.status <> 'failed')
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'deposit_refund_debit_consistent',
    message: (row) =>
      `refund ${row.id} (${row.status}) debited the wallet: debit ${row.debit}, reversal ${row.reversal}`,
    sql: `
      SELECT r.id, r.status,
             EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'refund:' || r.id::text) AS debit,
             EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'refund_reversal:' || r.id::text) AS reversal
        FROM refunds r
       WHERE r.wallet_debited AND (
             NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'refund:' || r.id::text)
          OR (r.status = 'failed') <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'refund_reversal:' || r.id::text))
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'payment_refunded_matches_refunds',
    message: (row) =>
      `payment ${row.reference} records ${row.amount_refunded} refunded but its refunds not failed sum to ${row.refunds_sum}`,
    sql: `
      SELECT p.id, p.reference, p.amount_refunded::text AS amount_refunded, coalesce(s.total, 0)::text AS refunds_sum
        FROM payments p
        LEFT JOIN (SELECT payment_id, sum(amount) AS total FROM refunds WHERE status <> 'failed' GROUP BY payment_id) s
          ON s.payment_id = p.id
       WHERE p.amount_refunded <> coalesce(s.total, 0)
       LIMIT ${SAMPLE}`,
  },
];
