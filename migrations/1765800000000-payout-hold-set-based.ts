import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PAYOUT_HOLD_BATCH_ONE_BY_ONE } from './1765700000000-payout-hold-batch.js';

/**
 * `payout_hold_batch` decided and wrote each hold by calling `payout_hold` (and through it
 * `ledger_post`) once per hold: about a dozen statements per withdrawal, each planned, checked and
 * started on its own, so a batch of 16 cost the database nearly what 16 single holds did
 * (bench/README.md, 2026-12-07). The same decisions are now taken in order over the rows the batch
 * read once under its locks, and what they accept is written by one INSERT per table:
 *
 * - every recipient share-locked, then every wallet and in-flight account locked in id order (as
 *   before, and as every ledger posting locks), and read in the same statements;
 * - each hold in order: its recipient (`recipient_not_found`), its wallet (LD003), its in-flight
 *   account (LD003, LD004 on another currency), the day's total under the wallet's lock plus the
 *   holds before it in the batch (`daily_limit`), its ledger key (`existing`), the wallet's balance
 *   after the holds before it (`insufficient_funds`); `created` moves the amount in the running
 *   balances and the day's total;
 * - the accepted holds' ledger transfers, entries (in hold order, each transfer's lines by account
 *   id, as ledger_post writes them, so every `balance_after` is what one-by-one posting gives) and
 *   payouts, then each one's Idempotency-Key.
 *
 * The ledger's own guards still apply to every row: the entry trigger moves the balances (the
 * database refuses a negative wallet), the deferred trigger checks each transfer balances, the
 * unique key refuses a twin. An error rolls back the whole batch, and the app runs its holds one
 * by one through `payout_hold`, which is unchanged (PayoutHoldPoster).
 */
export class PayoutHoldSetBased1765800000000 implements MigrationInterface {
  name = 'PayoutHoldSetBased1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION payout_hold_batch(p_ids uuid[], p_references text[], p_users uuid[],
                                                   p_recipients uuid[], p_wallets uuid[], p_in_flights uuid[],
                                                   p_gateways text[], p_amounts bigint[], p_currencies text[],
                                                   p_statuses text[], p_narrations text[],
                                                   p_livemodes boolean[], p_created_ats timestamptz[],
                                                   p_daily_limit bigint, p_idempotency jsonb[])
        RETURNS TABLE(ord integer, outcome text, used_today bigint)
        LANGUAGE plpgsql
        SET enable_seqscan TO 'off'
        SET plan_cache_mode TO 'force_generic_plan'
        AS $$
      #variable_conflict use_column
      DECLARE
        v_count int := coalesce(cardinality(p_ids), 0);
        v_outcomes text[] := '{}';
        v_used bigint[] := '{}';
        -- Recipients, accounts and day totals as read under the locks, by position.
        v_rec_ids uuid[];
        v_rec_users uuid[];
        v_rec_live boolean[];
        v_acc_ids uuid[];
        v_acc_users uuid[];
        v_acc_kinds text[];
        v_acc_currencies text[];
        v_balances bigint[];
        v_day_users uuid[];
        v_day_totals bigint[];
        v_existing text[];
        v_accepted int[] := '{}';
        v_transfers uuid[];
        v_rec int;
        v_wallet int;
        v_in_flight int;
        v_day int;
      BEGIN
        IF coalesce(cardinality(p_references), 0) <> v_count
           OR coalesce(cardinality(p_users), 0) <> v_count
           OR coalesce(cardinality(p_recipients), 0) <> v_count
           OR coalesce(cardinality(p_wallets), 0) <> v_count
           OR coalesce(cardinality(p_in_flights), 0) <> v_count
           OR coalesce(cardinality(p_gateways), 0) <> v_count
           OR coalesce(cardinality(p_amounts), 0) <> v_count
           OR coalesce(cardinality(p_currencies), 0) <> v_count
           OR coalesce(cardinality(p_statuses), 0) <> v_count
           OR coalesce(cardinality(p_narrations), 0) <> v_count
           OR coalesce(cardinality(p_livemodes), 0) <> v_count
           OR coalesce(cardinality(p_created_ats), 0) <> v_count
           OR coalesce(cardinality(p_idempotency), 0) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'payout_hold_batch needs arrays of one length';
        END IF;
        IF v_count = 0 THEN
          RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM unnest(p_amounts) a WHERE a IS NULL OR a <= 0) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a withdrawal amount must be positive';
        END IF;

        SELECT array_agg(r.id), array_agg(r.user_id), array_agg(r.deleted_at IS NULL)
          INTO v_rec_ids, v_rec_users, v_rec_live
          FROM (SELECT id, user_id, deleted_at FROM payout_recipients
                 WHERE id = ANY(p_recipients) ORDER BY id FOR SHARE) r;
        SELECT array_agg(a.id), array_agg(a.user_id), array_agg(a.kind), array_agg(a.currency),
               array_agg(a.balance)
          INTO v_acc_ids, v_acc_users, v_acc_kinds, v_acc_currencies, v_balances
          FROM (SELECT id, user_id, kind, currency, balance FROM ledger_accounts
                 WHERE id = ANY(p_wallets || p_in_flights) ORDER BY id FOR UPDATE) a;
        -- Read after the wallets' locks: every hold of a user locks that user's wallet first.
        SELECT array_agg(d.user_id), array_agg(d.total) INTO v_day_users, v_day_totals
          FROM (SELECT u.user_id,
                       (SELECT coalesce(sum(p.amount), 0) FROM payouts p
                         WHERE p.user_id = u.user_id
                           AND p.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                           AND p.status NOT IN ('failed', 'rejected', 'reversed'))::bigint AS total
                  FROM (SELECT DISTINCT x AS user_id FROM unnest(p_users) x) u) d;
        SELECT array_agg(t.key) INTO v_existing
          FROM ledger_transfers t
         WHERE t.key = ANY(ARRAY(SELECT 'withdrawal:' || x::text FROM unnest(p_ids) x));

        FOR i IN 1 .. v_count LOOP
          v_rec := array_position(v_rec_ids, p_recipients[i]);
          IF v_rec IS NULL OR v_rec_users[v_rec] IS DISTINCT FROM p_users[i] OR NOT v_rec_live[v_rec] THEN
            v_outcomes := v_outcomes || 'recipient_not_found'::text;
            v_used := v_used || NULL::bigint;
            CONTINUE;
          END IF;
          v_wallet := array_position(v_acc_ids, p_wallets[i]);
          IF v_wallet IS NULL OR v_acc_users[v_wallet] IS DISTINCT FROM p_users[i] THEN
            RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = 'unknown wallet';
          END IF;
          v_in_flight := array_position(v_acc_ids, p_in_flights[i]);
          IF v_in_flight IS NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = 'unknown ledger account';
          END IF;
          IF v_in_flight = v_wallet THEN
            RAISE EXCEPTION USING ERRCODE = 'LD002',
              MESSAGE = 'a ledger transfer needs two or more distinct accounts with non-zero amounts summing to zero';
          END IF;
          IF v_acc_currencies[v_wallet] <> v_acc_currencies[v_in_flight] THEN
            RAISE EXCEPTION USING ERRCODE = 'LD004', MESSAGE = 'a ledger transfer cannot mix currencies';
          END IF;
          v_day := array_position(v_day_users, p_users[i]);
          v_used := v_used || v_day_totals[v_day];
          IF v_day_totals[v_day] + p_amounts[i] > p_daily_limit THEN
            v_outcomes := v_outcomes || 'daily_limit'::text;
            CONTINUE;
          END IF;
          IF ('withdrawal:' || p_ids[i]::text) = ANY(coalesce(v_existing, '{}')) THEN
            v_outcomes := v_outcomes || 'existing'::text;
            CONTINUE;
          END IF;
          IF v_acc_kinds[v_wallet] = 'user_wallet' AND v_balances[v_wallet] - p_amounts[i] < 0 THEN
            v_outcomes := v_outcomes || 'insufficient_funds'::text;
            CONTINUE;
          END IF;
          v_balances[v_wallet] := v_balances[v_wallet] - p_amounts[i];
          v_balances[v_in_flight] := v_balances[v_in_flight] + p_amounts[i];
          v_day_totals[v_day] := v_day_totals[v_day] + p_amounts[i];
          -- A twin id later in the batch finds this one's key taken, as it would one by one.
          v_existing := coalesce(v_existing, '{}') || ('withdrawal:' || p_ids[i]::text);
          v_accepted := v_accepted || i;
          v_outcomes := v_outcomes || 'created'::text;
        END LOOP;

        IF cardinality(v_accepted) > 0 THEN
          WITH inserted AS (
            INSERT INTO ledger_transfers (kind, key, reference, narration)
            SELECT 'withdrawal', 'withdrawal:' || p_ids[x.i]::text, p_references[x.i], p_narrations[x.i]
              FROM unnest(v_accepted) WITH ORDINALITY AS x(i, n)
             ORDER BY x.n
            RETURNING id, key)
          SELECT array_agg(inserted.id ORDER BY x.n) INTO v_transfers
            FROM unnest(v_accepted) WITH ORDINALITY AS x(i, n)
            JOIN inserted ON inserted.key = 'withdrawal:' || p_ids[x.i]::text;
          IF coalesce(cardinality(v_transfers), 0) <> cardinality(v_accepted) THEN
            RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'payout_hold_batch lost a ledger transfer';
          END IF;

          INSERT INTO ledger_entries (transfer_id, account_id, amount)
          SELECT v_transfers[x.n], l.account_id, l.amount
            FROM unnest(v_accepted) WITH ORDINALITY AS x(i, n)
            CROSS JOIN LATERAL (VALUES (p_wallets[x.i], -p_amounts[x.i]),
                                       (p_in_flights[x.i], p_amounts[x.i])) AS l(account_id, amount)
           ORDER BY x.n, l.account_id;

          INSERT INTO payouts (id, reference, user_id, recipient_id, gateway, amount, currency, status,
                               narration, livemode, hold_transfer_id, created_at)
          SELECT p_ids[x.i], p_references[x.i], p_users[x.i], p_recipients[x.i], p_gateways[x.i],
                 p_amounts[x.i], p_currencies[x.i], p_statuses[x.i], p_narrations[x.i],
                 p_livemodes[x.i], v_transfers[x.n], p_created_ats[x.i]
            FROM unnest(v_accepted) WITH ORDINALITY AS x(i, n)
           ORDER BY x.n;

          FOR n IN 1 .. cardinality(v_accepted) LOOP
            IF p_idempotency[v_accepted[n]] IS NOT NULL THEN
              PERFORM idempotency_complete(p_idempotency[v_accepted[n]]);
            END IF;
          END LOOP;
        END IF;

        RETURN QUERY
          SELECT g.i, v_outcomes[g.i], v_used[g.i] FROM generate_series(1, v_count) AS g(i);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      PAYOUT_HOLD_BATCH_ONE_BY_ONE.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'),
    );
  }
}
