import type { LedgerCheck } from '../ledger/ledger-check.service.js';

const SAMPLE = 50;

/**
 * Dispute invariants added to the ledger check (SPEC §17): every dispute on a wallet deposit with
 * something to hold (`hold_amount`: what refunds had not already paid back) is held exactly once,
 * for that, and released or lost exactly as its status says, and one with nothing to hold never is; what sits in a user's
 * disputes_held account is exactly their open disputes; a receivable is never over-collected; and
 * each dispute transfer moves money between the right kinds of account.
 */
export const DISPUTE_LEDGER_CHECKS: LedgerCheck[] = [
  {
    name: 'dispute_ledger_matches_status',
    message: (row) =>
      `dispute ${row.id} is ${row.status} but the ledger has hold ${row.held}, release ${row.released}, loss ${row.lost}`,
    sql: `
      SELECT d.id, d.status,
             EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_hold:' || d.id::text) AS held,
             EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_release:' || d.id::text) AS released,
             EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_loss:' || d.id::text) AS lost
        FROM disputes d JOIN payments p ON p.id = d.payment_id AND p.purpose = 'wallet_deposit'
       WHERE (d.hold_amount > 0) <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_hold:' || d.id::text)
          OR (d.hold_amount > 0 AND d.status = 'won') <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_release:' || d.id::text)
          OR (d.hold_amount > 0 AND d.status IN ('lost', 'accepted')) <> EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_loss:' || d.id::text)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'dispute_hold_is_the_disputed_amount',
    message: (row) =>
      `dispute ${row.id} holding ${row.amount} was held as ${row.held} (wallet ${row.from_wallet}, receivable ${row.receivable})`,
    sql: `
      SELECT d.id, d.hold_amount::text AS amount, h.held::text AS held, h.from_wallet::text AS from_wallet,
             h.receivable::text AS receivable
        FROM disputes d
        JOIN ledger_transfers t ON t.key = 'dispute_hold:' || d.id::text
        CROSS JOIN LATERAL (
          SELECT sum(e.amount) FILTER (WHERE a.name = 'disputes_held:' || d.user_id::text) AS held,
                 coalesce(-sum(e.amount) FILTER (WHERE a.kind = 'user_wallet' AND a.user_id = d.user_id), 0) AS from_wallet,
                 coalesce(-sum(e.amount) FILTER (WHERE a.name = 'dispute_receivable:' || d.user_id::text), 0) AS receivable
            FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
           WHERE e.transfer_id = t.id) h
       WHERE h.held IS DISTINCT FROM d.hold_amount OR h.from_wallet <> d.held_from_wallet
          OR h.receivable <> d.receivable_recorded
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'disputes_held_is_open_disputes',
    message: (row) =>
      `${row.name} holds ${row.balance} but the user's open disputes on deposits total ${row.open_total}`,
    sql: `
      SELECT a.id, a.name, a.balance::text AS balance, coalesce(o.total, 0)::text AS open_total
        FROM ledger_accounts a
        LEFT JOIN LATERAL (
          SELECT sum(d.hold_amount) AS total FROM disputes d JOIN payments p ON p.id = d.payment_id
           WHERE p.purpose = 'wallet_deposit' AND d.status IN ('open', 'under_review')
             AND 'disputes_held:' || d.user_id::text = a.name) o ON true
       WHERE a.kind = 'system' AND a.name LIKE 'disputes\\_held:%' AND a.balance <> coalesce(o.total, 0)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'dispute_receivable_not_over_collected',
    message: (row) => `${row.name} has balance ${row.balance}: more was collected than was owed`,
    sql: `
      SELECT a.id, a.name, a.balance::text AS balance FROM ledger_accounts a
       WHERE a.kind = 'system' AND a.name LIKE 'dispute\\_receivable:%' AND a.balance > 0
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'dispute_transfer_shape',
    message: (row) => `${row.kind} transfer ${row.key} moves money the wrong way: ${row.shape}`,
    sql: `
      SELECT id, key, kind, shape FROM (
        SELECT t.id, t.key, t.kind,
               string_agg(coalesce(split_part(a.name, ':', 1), a.kind) || ':' || sign(e.amount)::int, ','
                          ORDER BY coalesce(split_part(a.name, ':', 1), a.kind) COLLATE "C", e.amount) AS shape
          FROM ledger_transfers t
          JOIN ledger_entries e ON e.transfer_id = t.id
          JOIN ledger_accounts a ON a.id = e.account_id
         WHERE t.kind IN ('dispute_hold', 'dispute_release', 'dispute_loss')
         GROUP BY t.id) s
       WHERE NOT (shape = ANY (CASE kind
               WHEN 'dispute_hold' THEN CASE WHEN key LIKE 'dispute\\_collection:%'
                 THEN ARRAY['dispute_receivable:1,user_wallet:-1']
                 ELSE ARRAY['disputes_held:1,user_wallet:-1',
                            'dispute_receivable:-1,disputes_held:1',
                            'dispute_receivable:-1,disputes_held:1,user_wallet:-1'] END
               WHEN 'dispute_release' THEN ARRAY['disputes_held:-1,user_wallet:1']
               WHEN 'dispute_loss' THEN ARRAY['clearing:1,disputes_held:-1']
             END))
       LIMIT ${SAMPLE}`,
  },
];
