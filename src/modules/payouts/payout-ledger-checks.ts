import type { LedgerCheck } from '../ledger/ledger-check.service.js';

const SAMPLE = 50;

/**
 * Payout invariants added to the ledger check (SPEC §12): the money in payouts_in_flight is
 * exactly the payouts not yet final, every payout's money sits where its state says, and every
 * withdrawal posting belongs to a payout of that wallet's owner for that amount.
 */
export const PAYOUT_LEDGER_CHECKS: LedgerCheck[] = [
  {
    name: 'payouts_in_flight_matches_open_payouts',
    message: (row) =>
      `${row.currency}: payouts_in_flight holds ${row.held} but the payouts not yet final sum to ${row.open}`,
    sql: `
      SELECT c.currency, coalesce(h.held, 0)::text AS held, coalesce(o.open, 0)::text AS open
        FROM (SELECT currency FROM ledger_accounts WHERE split_part(name, ':', 1) = 'payouts_in_flight'
              UNION SELECT currency FROM payouts) c
        LEFT JOIN (SELECT currency, sum(balance) AS held FROM ledger_accounts
                    WHERE kind = 'system' AND split_part(name, ':', 1) = 'payouts_in_flight'
                    GROUP BY currency) h ON h.currency = c.currency
        LEFT JOIN (SELECT currency, sum(amount) AS open FROM payouts
                    WHERE status IN ('pending_approval', 'pending', 'processing', 'requires_otp')
                    GROUP BY currency) o ON o.currency = c.currency
       WHERE coalesce(h.held, 0) <> coalesce(o.open, 0)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'payout_money_matches_state',
    message: (row) =>
      `payout ${row.reference} is ${row.status} but hold=${row.hold} settlement=${row.settlement} return=${row.returned}`,
    sql: `
      SELECT p.id, p.reference, p.status,
             (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal:' || p.id::text AND t.id = p.hold_transfer_id)::int AS hold,
             (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal_settlement:' || p.id::text)::int AS settlement,
             (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal_reversal:' || p.id::text)::int AS returned
        FROM payouts p
       WHERE (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal:' || p.id::text AND t.id = p.hold_transfer_id) <> 1
          OR (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal_settlement:' || p.id::text)
             <> CASE WHEN p.status = 'succeeded' OR (p.status = 'reversed' AND p.settlement_transfer_id IS NOT NULL) THEN 1 ELSE 0 END
          OR (SELECT count(*) FROM ledger_transfers t WHERE t.key = 'withdrawal_reversal:' || p.id::text)
             <> CASE WHEN p.status IN ('failed', 'rejected', 'reversed') THEN 1 ELSE 0 END
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'withdrawal_debit_matches_payout',
    message: (row) =>
      `withdrawal ${row.key} took ${row.debited} from a wallet but ${row.payout_id ? `its payout is for ${row.amount}` : 'no payout holds it'}`,
    sql: `
      SELECT t.id, t.key, (-e.amount)::text AS debited, p.id AS payout_id, p.amount::text AS amount
        FROM ledger_transfers t
        JOIN ledger_entries e ON e.transfer_id = t.id AND e.amount < 0
        JOIN ledger_accounts a ON a.id = e.account_id AND a.kind = 'user_wallet'
        LEFT JOIN payouts p ON p.hold_transfer_id = t.id
       WHERE t.kind = 'withdrawal'
         AND (p.id IS NULL OR p.amount <> -e.amount OR p.user_id <> a.user_id)
       LIMIT ${SAMPLE}`,
  },
];
