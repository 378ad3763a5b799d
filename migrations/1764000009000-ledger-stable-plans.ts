import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  LEDGER_CHECK_TRANSFER_BALANCED_V1,
  LEDGER_WALLET_TRANSACTION_V1,
} from './1764000004000-ledger.js';

/** This migration's definition (a later one replaces it and restores it on the way down). */
export const LEDGER_WALLET_TRANSACTION_V2 = `
      CREATE OR REPLACE FUNCTION ledger_wallet_transaction(p_entry_id bigint) RETURNS jsonb
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN (
          SELECT jsonb_build_object(
            'id', e.id::text,
            'type', ledger_wallet_transaction_type(t.kind, e.amount),
            'amount', abs(e.amount),
            'currency', a.currency::text,
            'status', CASE WHEN t.kind = 'refund'
                            AND EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_transfer_id = t.id)
                           THEN 'reversed' ELSE 'success' END,
            'reference', t.reference,
            'counterparty_wallet_number', (
              SELECT other.wallet_number FROM (
                SELECT (SELECT ca.wallet_number::text FROM ledger_accounts ca
                         WHERE ca.id = ce.account_id AND ca.kind = 'user_wallet') AS wallet_number
                  FROM ledger_entries ce
                 WHERE ce.transfer_id = e.transfer_id AND ce.account_id <> e.account_id) other
               WHERE other.wallet_number IS NOT NULL
               LIMIT 1),
            'narration', t.narration,
            'balance_after', e.balance_after,
            'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          FROM ledger_entries e
          JOIN ledger_transfers t ON t.id = e.transfer_id
          JOIN ledger_accounts a ON a.id = e.account_id
          WHERE e.id = p_entry_id);
      END $$`;

/**
 * Two ledger queries whose plans depended on table statistics. While `ledger_entries` grows
 * faster than autovacuum re-analyzes it (a fresh database under load), the planner believed a
 * transfer has hundreds of entries and answered both with a sequential scan of every account and
 * a hash join: about 2 ms of database CPU per transfer, the largest single cost of a transfer.
 *
 * `transfer_id` now carries a fixed n_distinct (half the rows: two entries per transfer), and both
 * queries start from the transfer's own entries (the unique (transfer_id, account_id) index) and
 * look each account up by primary key in a scalar subquery, which the planner cannot turn into a
 * join: the same plan whatever the statistics say. `ledger_wallet_transaction` also becomes
 * PL/pgSQL, whose statement plans are cached per connection; as a SQL function called from
 * PL/pgSQL it was parsed and planned again in every transaction. Results are unchanged.
 */
export class LedgerStablePlans1764000009000 implements MigrationInterface {
  name = 'LedgerStablePlans1764000009000';

  async up(q: QueryRunner): Promise<void> {
    // A transfer has two entries (rarely more): tell the planner so, whatever ANALYZE last sampled.
    await q.query(`ALTER TABLE ledger_entries ALTER COLUMN transfer_id SET (n_distinct = -0.5)`);
    await q.query(`ANALYZE ledger_entries`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ledger_check_transfer_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_sum numeric;
        v_lines int;
        v_currencies int;
      BEGIN
        SELECT sum(e.amount), count(*),
               count(DISTINCT (SELECT a.currency FROM ledger_accounts a WHERE a.id = e.account_id))
          INTO v_sum, v_lines, v_currencies
          FROM ledger_entries e
         WHERE e.transfer_id = NEW.transfer_id;
        IF v_sum <> 0 OR v_lines < 2 OR v_currencies <> 1 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD011',
            MESSAGE = format('ledger transfer %s is unbalanced (sum %s over %s entries in %s currencies)',
                             NEW.transfer_id, v_sum, v_lines, v_currencies);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(LEDGER_WALLET_TRANSACTION_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    const replace = (sql: string): string =>
      sql.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
    await q.query(replace(LEDGER_CHECK_TRANSFER_BALANCED_V1));
    await q.query(replace(LEDGER_WALLET_TRANSACTION_V1));
    await q.query(`ALTER TABLE ledger_entries ALTER COLUMN transfer_id RESET (n_distinct)`);
  }
}
