import { UUID_PATTERN } from '../../common/validation/uuid.js';
import type { LedgerCheck } from '../ledger/ledger-check.service.js';

const SAMPLE = 50;

/**
 * The wallet's deposits against the payments that paid them, added to the ledger check (the
 * ledger itself knows no payment): every deposit credit is a succeeded wallet_deposit payment of
 * that user for what the gateway received, and every such payment was credited.
 */
export const WALLET_LEDGER_CHECKS: LedgerCheck[] = [
  {
    // The users' total may grow only by settled deposits: every deposit credit is a succeeded
    // wallet_deposit payment of that user, for what the gateway received.
    name: 'deposit_matches_settled_payment',
    message: (row) =>
      `deposit ${row.key} credited ${row.credited} but its payment is ${row.payment_status ?? 'missing'} with ${row.received ?? 'nothing'} received`,
    sql: `
      SELECT t.id, t.key, e.amount::text AS credited, p.reference, p.status AS payment_status,
             p.amount_received::text AS received
        FROM ledger_transfers t
        JOIN ledger_entries e ON e.transfer_id = t.id AND e.amount > 0
        JOIN ledger_accounts a ON a.id = e.account_id
        -- Joined on the payment's id as a uuid (its primary key), not on its text: a text
        -- comparison cannot use the key, and made this check scan every payment per deposit.
        LEFT JOIN payments p ON p.id = CASE WHEN t.key ~* '^deposit:${UUID_PATTERN.source.slice(1)}'
                                            THEN substr(t.key, length('deposit:') + 1)::uuid END
       WHERE t.kind = 'deposit'
         AND (p.id IS NULL OR p.purpose <> 'wallet_deposit' OR p.status <> 'succeeded'
              OR p.amount_received IS DISTINCT FROM e.amount OR p.user_id IS DISTINCT FROM a.user_id
              OR p.currency <> a.currency)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'settled_deposit_credited',
    message: (row) =>
      `deposit payment ${row.reference} succeeded but the wallet was never credited`,
    sql: `
      SELECT p.id, p.reference, p.amount_received::text AS received FROM payments p
       WHERE p.purpose = 'wallet_deposit' AND p.status = 'succeeded'
         AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'deposit:' || p.id::text)
       LIMIT ${SAMPLE}`,
  },
];
