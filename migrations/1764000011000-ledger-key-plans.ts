import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEDGER_POST_V1 } from './1764000004000-ledger.js';
import { LEDGER_WALLET_TRANSACTION_V2 } from './1764000009000-ledger-stable-plans.js';

/**
 * The ledger's functions plan every statement once per connection and keep the plan, and every
 * plan finds its rows through a key's index, whatever the tables' statistics say.
 *
 * A plan is made for the tables as the statistics describe them, and a ledger starts empty: with
 * autovacuum off (or before it catches up) the statistics still say "empty" once the tables hold
 * thousands of rows. Planned that way, a lookup joined to a table the planner believed tiny could
 * start from the wrong side and walk every row: measured, the `existing` check of ledger_post read
 * all 20,000 entries of the ledger on every deposit (47 ms) once its generic plan had been made
 * on a nearly empty ledger. So:
 * - each statement reads one table by a key, and looks up others per row in scalar subqueries
 *   (which are never turned into joins), so the keys' indexes are the only sensible paths; and
 *   sequential scans are off in these functions, so they are the only paths;
 * - with nothing left for the parameters' values to decide, the functions keep a generic plan
 *   (`plan_cache_mode`) instead of planning again on every call.
 * `existing` entries are returned in account order, the order ledger_post inserts them in (so
 * their ids are in that order too), which their (transfer, account) index reads in.
 */
const LEDGER_POST_V2 = `
      CREATE OR REPLACE FUNCTION ledger_post(
        p_kind text, p_key text, p_reference text, p_narration text, p_reverses uuid,
        p_accounts uuid[], p_amounts bigint[]
      ) RETURNS TABLE (
        outcome text, transfer_id uuid, created_at timestamptz,
        entry_id bigint, account_id uuid, amount bigint, balance_after bigint
      ) LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_transfer uuid;
        v_created_at timestamptz;
        v_locked int;
        v_currencies int;
      BEGIN
        IF coalesce(cardinality(p_accounts), 0) < 2 OR cardinality(p_accounts) <> cardinality(p_amounts)
           OR (SELECT count(DISTINCT x) FROM unnest(p_accounts) x) <> cardinality(p_accounts)
           OR 0 = ANY(p_amounts)
           OR (SELECT sum(x) FROM unnest(p_amounts) x) <> 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002',
            MESSAGE = 'a ledger transfer needs two or more distinct accounts with non-zero amounts summing to zero';
        END IF;

        SELECT count(*), count(DISTINCT currency) INTO v_locked, v_currencies
          FROM (SELECT currency FROM ledger_accounts WHERE id = ANY(p_accounts) ORDER BY id FOR UPDATE) locked;
        IF v_locked <> cardinality(p_accounts) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = 'unknown ledger account';
        END IF;
        IF v_currencies <> 1 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD004', MESSAGE = 'a ledger transfer cannot mix currencies';
        END IF;

        -- Read after the locks: a twin posting of the same key on the same accounts has committed.
        SELECT t.id, t.created_at INTO v_transfer, v_created_at FROM ledger_transfers t WHERE t.key = p_key;
        IF FOUND THEN
          RETURN QUERY
            SELECT 'existing'::text, v_transfer, v_created_at, e.id, e.account_id, e.amount, e.balance_after
              FROM ledger_entries e WHERE e.transfer_id = v_transfer ORDER BY e.account_id;
          RETURN;
        END IF;

        RETURN QUERY
          SELECT 'insufficient_funds'::text, NULL::uuid, NULL::timestamptz, NULL::bigint, d.acc, d.amt, d.balance
            FROM (SELECT l.acc, l.amt,
                         (SELECT a.balance FROM ledger_accounts a WHERE a.id = l.acc AND a.kind = 'user_wallet') AS balance
                    FROM unnest(p_accounts, p_amounts) AS l(acc, amt)
                   WHERE l.amt < 0) d
           WHERE d.balance + d.amt < 0
           LIMIT 1;
        IF FOUND THEN
          RETURN;
        END IF;

        INSERT INTO ledger_transfers (kind, key, reference, narration, reverses_transfer_id)
        VALUES (p_kind, p_key, p_reference, p_narration, p_reverses)
        ON CONFLICT (key) DO NOTHING
        RETURNING id, created_at INTO v_transfer, v_created_at;
        IF v_transfer IS NULL THEN
          -- A twin on other accounts won the key meanwhile: it is the transfer for this key.
          SELECT t.id, t.created_at INTO v_transfer, v_created_at FROM ledger_transfers t WHERE t.key = p_key;
          RETURN QUERY
            SELECT 'existing'::text, v_transfer, v_created_at, e.id, e.account_id, e.amount, e.balance_after
              FROM ledger_entries e WHERE e.transfer_id = v_transfer ORDER BY e.account_id;
          RETURN;
        END IF;

        RETURN QUERY
          INSERT INTO ledger_entries AS e (transfer_id, account_id, amount)
          SELECT v_transfer, l.acc, l.amt FROM unnest(p_accounts, p_amounts) AS l(acc, amt) ORDER BY l.acc
          RETURNING 'created'::text, v_transfer, v_created_at, e.id, e.account_id, e.amount, e.balance_after;
      END $$`;

const LEDGER_WALLET_TRANSACTION_V3 = `
      CREATE OR REPLACE FUNCTION ledger_wallet_transaction(p_entry_id bigint) RETURNS jsonb
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        RETURN (
          SELECT jsonb_build_object(
            'id', v.id::text,
            'type', ledger_wallet_transaction_type((v.transfer).kind, v.amount),
            'amount', abs(v.amount),
            'currency', v.currency,
            'status', CASE WHEN (v.transfer).kind = 'refund' AND v.reversed THEN 'reversed' ELSE 'success' END,
            'reference', (v.transfer).reference,
            'counterparty_wallet_number', v.counterparty,
            'narration', (v.transfer).narration,
            'balance_after', v.balance_after,
            'created_at', to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
          FROM (
            SELECT e.id, e.amount, e.balance_after, e.created_at,
                   (SELECT t FROM ledger_transfers t WHERE t.id = e.transfer_id) AS transfer,
                   (SELECT a.currency::text FROM ledger_accounts a WHERE a.id = e.account_id) AS currency,
                   EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.reverses_transfer_id = e.transfer_id) AS reversed,
                   (SELECT other.wallet_number FROM (
                      SELECT (SELECT ca.wallet_number::text FROM ledger_accounts ca
                               WHERE ca.id = ce.account_id AND ca.kind = 'user_wallet') AS wallet_number
                        FROM ledger_entries ce
                       WHERE ce.transfer_id = e.transfer_id AND ce.account_id <> e.account_id) other
                     WHERE other.wallet_number IS NOT NULL
                     LIMIT 1) AS counterparty
              FROM ledger_entries e
             WHERE e.id = p_entry_id) v);
      END $$`;

/** Every ledger function that reads tables (triggers included: they run inside the others). */
const FUNCTIONS = [
  'ledger_post(text, text, text, text, uuid, uuid[], bigint[])',
  'ledger_apply_entry()',
  'ledger_check_transfer_balanced()',
  'ledger_wallet_transaction(bigint)',
  'wallet_transfer(uuid, uuid, bigint, text, text, text)',
  'wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[])',
  'wallet_deposit(uuid, uuid, bigint, text, text, text)',
];

export class LedgerKeyPlans1764000011000 implements MigrationInterface {
  name = 'LedgerKeyPlans1764000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(LEDGER_POST_V2);
    await q.query(LEDGER_WALLET_TRANSACTION_V3);
    for (const fn of FUNCTIONS) {
      await q.query(
        `ALTER FUNCTION ${fn} SET enable_seqscan = off SET plan_cache_mode = force_generic_plan`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) await q.query(`ALTER FUNCTION ${fn} RESET ALL`);
    await q.query(LEDGER_WALLET_TRANSACTION_V2);
    await q.query(LEDGER_POST_V1.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }
}
