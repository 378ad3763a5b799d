import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../database/sql.js';
import type {
  LedgerCheckReportDto,
  LedgerProblemDto,
  LedgerTotalsDto,
} from './ledger-check.dto.js';

/** At most this many rows are reported per check: drift is a page to a person, not a data dump. */
const SAMPLE = 50;

type Row = Record<string, string | number | null>;

interface Check {
  name: string;
  message: (row: Row) => string;
  sql: string;
}

const CHECKS: Check[] = [
  {
    name: 'transfer_balanced',
    message: (row) =>
      `transfer ${row.key} has entries summing to ${row.sum} over ${row.lines} lines in ${row.currencies} currencies`,
    sql: `
      SELECT t.id, t.key, coalesce(sum(e.amount), 0)::text AS sum, count(e.id)::int AS lines,
             count(DISTINCT a.currency)::int AS currencies
        FROM ledger_transfers t
        LEFT JOIN ledger_entries e ON e.transfer_id = t.id
        LEFT JOIN ledger_accounts a ON a.id = e.account_id
       GROUP BY t.id
      HAVING coalesce(sum(e.amount), 0) <> 0 OR count(e.id) < 2 OR count(DISTINCT a.currency) <> 1
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'balance_equals_entries',
    message: (row) =>
      `account ${row.account} has balance ${row.balance} but its entries sum to ${row.entries_sum} and the last balance_after is ${row.last_balance_after}`,
    sql: `
      SELECT a.id, coalesce(a.wallet_number, a.name) AS account, a.balance::text AS balance,
             coalesce(s.total, 0)::text AS entries_sum, coalesce(l.balance_after, 0)::text AS last_balance_after
        FROM ledger_accounts a
        LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_entries GROUP BY account_id) s
          ON s.account_id = a.id
        LEFT JOIN LATERAL (
          SELECT balance_after FROM ledger_entries WHERE account_id = a.id ORDER BY id DESC LIMIT 1) l ON true
       WHERE a.balance <> coalesce(s.total, 0) OR a.balance <> coalesce(l.balance_after, 0)
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'running_balance',
    message: (row) =>
      `entry ${row.id} of account ${row.account_id} moves ${row.amount} from ${row.previous} but records balance_after ${row.balance_after}`,
    sql: `
      SELECT id::text, account_id, amount::text, balance_after::text, previous::text FROM (
        SELECT e.id, e.account_id, e.amount, e.balance_after,
               coalesce(lag(e.balance_after) OVER (PARTITION BY e.account_id ORDER BY e.id), 0) AS previous
          FROM ledger_entries e) chain
       WHERE balance_after <> previous + amount
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'user_balance_non_negative',
    message: (row) => `wallet ${row.wallet_number} has a negative balance ${row.balance}`,
    sql: `
      SELECT id, wallet_number, balance::text FROM ledger_accounts
       WHERE kind = 'user_wallet' AND balance < 0 LIMIT ${SAMPLE}`,
  },
  {
    // Who may be on each side of each kind: transfers move between wallets only; deposits,
    // refunds and their reversals between one wallet and one system (clearing) account, in the
    // right direction. Anything else would change the users' total by something other than a
    // deposit or a refund.
    name: 'transfer_shape',
    message: (row) => `${row.kind} transfer ${row.key} moves money the wrong way: ${row.shape}`,
    sql: `
      SELECT t.id, t.key, t.kind, string_agg(a.kind || ':' || sign(e.amount)::int, ',' ORDER BY a.kind, e.amount) AS shape
        FROM ledger_transfers t
        JOIN ledger_entries e ON e.transfer_id = t.id
        JOIN ledger_accounts a ON a.id = e.account_id
       GROUP BY t.id
      HAVING string_agg(a.kind || ':' || sign(e.amount)::int, ',' ORDER BY a.kind, e.amount) <> CASE t.kind
               WHEN 'transfer' THEN 'user_wallet:-1,user_wallet:1'
               WHEN 'deposit' THEN 'system:-1,user_wallet:1'
               WHEN 'refund' THEN 'system:1,user_wallet:-1'
               WHEN 'refund_reversal' THEN 'system:-1,user_wallet:1'
               WHEN 'withdrawal' THEN 'system:1,user_wallet:-1'
               WHEN 'withdrawal_settlement' THEN 'system:-1,system:1'
               WHEN 'withdrawal_reversal' THEN 'system:-1,user_wallet:1'
             END
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'reversal_mirrors_original',
    message: (row) => `reversal ${row.key} does not exactly mirror the refund it reverses`,
    sql: `
      SELECT r.id, r.key FROM ledger_transfers r
       WHERE r.kind = 'refund_reversal' AND (
         NOT EXISTS (SELECT 1 FROM ledger_transfers o WHERE o.id = r.reverses_transfer_id AND o.kind = 'refund')
         OR EXISTS (
           (SELECT account_id, -amount FROM ledger_entries WHERE transfer_id = r.reverses_transfer_id)
           EXCEPT (SELECT account_id, amount FROM ledger_entries WHERE transfer_id = r.id))
         OR EXISTS (
           (SELECT account_id, amount FROM ledger_entries WHERE transfer_id = r.id)
           EXCEPT (SELECT account_id, -amount FROM ledger_entries WHERE transfer_id = r.reverses_transfer_id)))
       LIMIT ${SAMPLE}`,
  },
  {
    name: 'wallet_is_a_user',
    message: (row) => `wallet ${row.wallet_number} belongs to no user`,
    sql: `
      SELECT a.id, a.wallet_number FROM ledger_accounts a LEFT JOIN users u ON u.id = a.user_id
       WHERE a.kind = 'user_wallet' AND u.id IS NULL LIMIT ${SAMPLE}`,
  },
  {
    name: 'user_has_wallet',
    message: (row) => `user ${row.id} has no wallet`,
    sql: `
      SELECT u.id FROM users u LEFT JOIN ledger_accounts a ON a.user_id = u.id
       WHERE a.id IS NULL LIMIT ${SAMPLE}`,
  },
];

/**
 * Verifies every ledger invariant over the whole database in one repeatable-read snapshot and
 * lists what is wrong. The database already refuses most drift as it happens; this is the
 * independent audit (and the check that the cached balances agree with the entries).
 */
@Injectable()
export class LedgerCheckService {
  /** Further checks from other modules: the wallet's deposits, the refunds (they know payments). */
  private readonly extraChecks: Check[] = [];

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  addChecks(checks: readonly Check[]): void {
    this.extraChecks.push(...checks);
  }

  async run(): Promise<LedgerCheckReportDto> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await queryRows(manager, 'SET TRANSACTION READ ONLY');
      const problems: LedgerProblemDto[] = [];
      for (const check of [...CHECKS, ...this.extraChecks]) {
        const rows = await queryRows<Row>(manager, check.sql);
        for (const row of rows)
          problems.push({ check: check.name, message: check.message(row), subject: row });
      }
      const [counts] = await queryRows<{ accounts: number; transfers: number; entries: number }>(
        manager,
        `SELECT (SELECT count(*) FROM ledger_accounts)::int AS accounts,
                (SELECT count(*) FROM ledger_transfers)::int AS transfers,
                (SELECT count(*) FROM ledger_entries)::int AS entries`,
      );
      const totals = await this.totals(manager);
      for (const total of totals) {
        // Everything sums to zero, so what the users hold is what the system accounts owe, and
        // the users' total moved only by deposits and refunds.
        if (BigInt(total.user_balances) + BigInt(total.system_balances) !== 0n) {
          problems.push({
            check: 'ledger_sums_to_zero',
            message: `${total.currency}: user balances ${total.user_balances} and system balances ${total.system_balances} do not cancel out`,
            subject: { currency: total.currency },
          });
        }
        const expected =
          BigInt(total.deposits) -
          BigInt(total.refunds) +
          BigInt(total.refund_reversals) -
          BigInt(total.withdrawals) +
          BigInt(total.withdrawal_reversals) +
          BigInt(total.disputes);
        if (BigInt(total.user_balances) !== expected) {
          problems.push({
            check: 'user_total_moves_only_by_deposits_and_refunds',
            message: `${total.currency}: users hold ${total.user_balances} but deposits − refunds + reversals − withdrawals + withdrawal reversals + disputes = ${expected}`,
            subject: { currency: total.currency },
          });
        }
      }
      return {
        ok: problems.length === 0,
        checked_at: new Date().toISOString(),
        ...counts,
        totals,
        problems,
      };
    });
  }

  private async totals(manager: EntityManager): Promise<LedgerTotalsDto[]> {
    return queryRows<LedgerTotalsDto>(
      manager,
      `
      SELECT c.currency,
             coalesce((SELECT sum(balance) FROM ledger_accounts WHERE currency = c.currency AND kind = 'user_wallet'), 0)::text AS user_balances,
             coalesce((SELECT sum(balance) FROM ledger_accounts WHERE currency = c.currency AND kind = 'system'), 0)::text AS system_balances,
             coalesce(sum(e.amount) FILTER (WHERE t.kind = 'deposit'), 0)::text AS deposits,
             coalesce(-sum(e.amount) FILTER (WHERE t.kind = 'refund'), 0)::text AS refunds,
             coalesce(sum(e.amount) FILTER (WHERE t.kind = 'refund_reversal'), 0)::text AS refund_reversals,
             coalesce(-sum(e.amount) FILTER (WHERE t.kind = 'withdrawal'), 0)::text AS withdrawals,
             coalesce(sum(e.amount) FILTER (WHERE t.kind = 'withdrawal_reversal'), 0)::text AS withdrawal_reversals,
             coalesce((SELECT sum(balance) FROM ledger_accounts
                        WHERE currency = c.currency AND kind = 'system' AND split_part(name, ':', 1) = 'payouts_in_flight'), 0)::text AS payouts_in_flight,
             coalesce(sum(e.amount) FILTER (WHERE t.kind IN ('dispute_hold', 'dispute_release')), 0)::text AS disputes
        FROM (SELECT DISTINCT currency FROM ledger_accounts) c
        LEFT JOIN ledger_accounts a ON a.currency = c.currency AND a.kind = 'user_wallet'
        LEFT JOIN ledger_entries e ON e.account_id = a.id
        LEFT JOIN ledger_transfers t ON t.id = e.transfer_id
       GROUP BY c.currency
       ORDER BY c.currency`,
    );
  }
}

export type { Check as LedgerCheck };
