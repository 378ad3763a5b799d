-- The current schema: every table, index, constraint, function and trigger as the migrations
-- (migrations/) leave a database. Generated, never edited: `npm run db:schema` writes it from a
-- database migrated from scratch, and a test (test/integration/db-schema.spec.ts) fails while it
-- is stale. Migrations are history and never change; to change the schema, add one and
-- regenerate this file. The body of a function here is its body now, whichever migration last
-- redefined it.

--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

--
-- Name: dispute_collect_receivable(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.dispute_collect_receivable() RETURNS trigger
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    AS $$
      DECLARE
        v_user uuid;
        v_wallet_balance bigint;
        v_receivable uuid;
        v_owed bigint;
        v_take bigint;
        v_transfer uuid;
      BEGIN
        SELECT a.user_id, a.balance INTO v_user, v_wallet_balance
          FROM ledger_accounts a WHERE a.id = NEW.account_id AND a.kind = 'user_wallet';
        IF v_user IS NULL THEN
          RETURN NULL;
        END IF;
        SELECT r.id INTO v_receivable FROM ledger_accounts r
         WHERE r.name = 'dispute_receivable:' || v_user::text AND r.balance < 0;
        IF v_receivable IS NULL THEN
          RETURN NULL;
        END IF;
        -- The wallet is locked by the posting that credited it; the receivable only after it.
        SELECT -r.balance INTO v_owed FROM ledger_accounts r WHERE r.id = v_receivable FOR UPDATE;
        v_take := least(NEW.amount, v_owed, v_wallet_balance);
        IF v_take <= 0 THEN
          RETURN NULL;
        END IF;
        INSERT INTO ledger_transfers (kind, key, reference, narration)
        VALUES ('dispute_hold', 'dispute_collection:' || NEW.id::text, 'DSPC-' || NEW.id::text,
                'Collected toward a dispute the wallet could not cover')
        RETURNING id INTO v_transfer;
        INSERT INTO ledger_entries (transfer_id, account_id, amount)
        VALUES (v_transfer, NEW.account_id, -v_take), (v_transfer, v_receivable, v_take);
        RETURN NULL;
      END $$;

--
-- Name: dispute_sync_ledger(uuid); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.dispute_sync_ledger(p_dispute uuid) RETURNS TABLE(move text)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    AS $$
      DECLARE
        d disputes%ROWTYPE;
        v_purpose text;
        v_wallet uuid;
        v_balance bigint;
        v_receivable uuid;
        v_held uuid;
        v_clearing uuid;
        v_from_wallet bigint;
        v_short bigint;
        v_accounts uuid[];
        v_amounts bigint[];
        v_narration text;
        v_outcome text;
      BEGIN
        SELECT * INTO d FROM disputes WHERE id = p_dispute FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'DP002', MESSAGE = format('no dispute %s', p_dispute);
        END IF;
        SELECT p.purpose INTO v_purpose FROM payments p WHERE p.id = d.payment_id;
        -- From all of the payment's disputes, not the one synced last: one still open makes it
        -- open, else one lost makes it lost, else won.
        UPDATE payments p SET disputed = (
                 SELECT CASE WHEN bool_or(x.status IN ('open', 'under_review')) THEN 'open'
                             WHEN bool_or(x.status IN ('lost', 'accepted')) THEN 'lost'
                             ELSE 'won' END
                   FROM disputes x WHERE x.payment_id = d.payment_id),
               updated_at = now()
         WHERE p.id = d.payment_id;
        IF v_purpose <> 'wallet_deposit' THEN
          -- A plain payment never entered the ledger: the hold is recorded on the dispute alone.
          UPDATE disputes SET hold_state = 'recorded' WHERE id = d.id AND hold_state <> 'recorded';
          RETURN;
        END IF;
        IF d.hold_amount = 0 THEN
          -- All of it was refunded before the dispute came: the user owes nothing more for it.
          UPDATE disputes SET hold_state = 'recorded' WHERE id = d.id AND hold_state <> 'recorded';
          RETURN;
        END IF;

        -- The wallet first (see the lock order above), then the user's dispute accounts.
        SELECT a.id, a.balance INTO v_wallet, v_balance FROM ledger_accounts a
         WHERE a.user_id = d.user_id AND a.kind = 'user_wallet' FOR UPDATE;
        IF v_wallet IS NULL THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = format('user %s has no wallet', d.user_id);
        END IF;
        v_receivable := ledger_system_account('dispute_receivable:' || d.user_id::text, d.currency);
        v_held := ledger_system_account('disputes_held:' || d.user_id::text, d.currency);
        v_narration := left(format('Dispute %s on %s', d.gateway_dispute_id, d.payment_reference), 255);

        IF NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_hold:' || d.id::text) THEN
          v_from_wallet := least(v_balance, d.hold_amount);
          v_short := d.hold_amount - v_from_wallet;
          v_accounts := ARRAY[v_held];
          v_amounts := ARRAY[d.hold_amount];
          IF v_from_wallet > 0 THEN
            v_accounts := v_accounts || v_wallet;
            v_amounts := v_amounts || -v_from_wallet;
          END IF;
          IF v_short > 0 THEN
            v_accounts := v_accounts || v_receivable;
            v_amounts := v_amounts || -v_short;
          END IF;
          SELECT p.outcome INTO v_outcome
            FROM ledger_post('dispute_hold', 'dispute_hold:' || d.id::text, 'DSPH-' || d.id::text,
                             v_narration, NULL, v_accounts, v_amounts) p LIMIT 1;
          IF v_outcome <> 'created' THEN
            RAISE EXCEPTION USING ERRCODE = 'DP003',
              MESSAGE = format('the hold of dispute %s was not posted (%s)', d.id, v_outcome);
          END IF;
          UPDATE disputes SET held_from_wallet = v_from_wallet, receivable_recorded = v_short,
                              hold_state = 'held', updated_at = now()
           WHERE id = d.id;
          move := 'hold';
          RETURN NEXT;
        END IF;

        IF d.status = 'won'
           AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_release:' || d.id::text) THEN
          PERFORM 1 FROM ledger_post('dispute_release', 'dispute_release:' || d.id::text, 'DSPR-' || d.id::text,
                                     v_narration, NULL, ARRAY[v_held, v_wallet], ARRAY[-d.hold_amount, d.hold_amount]);
          UPDATE disputes SET hold_state = 'released', updated_at = now() WHERE id = d.id;
          move := 'release';
          RETURN NEXT;
        ELSIF d.status IN ('lost', 'accepted')
           AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_loss:' || d.id::text) THEN
          v_clearing := ledger_system_account('clearing:' || d.gateway || ':' || d.currency, d.currency);
          PERFORM 1 FROM ledger_post('dispute_loss', 'dispute_loss:' || d.id::text, 'DSPR-' || d.id::text,
                                     v_narration, NULL, ARRAY[v_held, v_clearing], ARRAY[-d.hold_amount, d.hold_amount]);
          UPDATE disputes SET hold_state = 'lost', updated_at = now() WHERE id = d.id;
          move := 'loss';
          RETURN NEXT;
        END IF;
      END $$;

--
-- Name: idempotency_complete(jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.idempotency_complete(p_claim jsonb) RETURNS void
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      BEGIN
        IF p_claim IS NULL THEN
          RETURN;
        END IF;
        UPDATE idempotency_keys
           SET status = 'completed', response_status = (p_claim->>'status')::int,
               response_body = p_claim->'body', completed_at = now()
         WHERE user_id = (p_claim->>'user_id')::uuid AND key = p_claim->>'key'
           AND attempt = (p_claim->>'attempt')::uuid AND status = 'in_flight';
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'IK001',
            MESSAGE = 'the Idempotency-Key is no longer held by this attempt';
        END IF;
      END $$;

--
-- Name: ledger_apply_entry(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_apply_entry() RETURNS trigger
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      BEGIN
        UPDATE ledger_accounts SET balance = balance + NEW.amount, updated_at = now()
        WHERE id = NEW.account_id
        RETURNING balance INTO NEW.balance_after;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = format('no ledger account %s', NEW.account_id);
        END IF;
        RETURN NEW;
      END $$;

--
-- Name: ledger_check_transfer_balanced(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_check_transfer_balanced() RETURNS trigger
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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
      END $$;

--
-- Name: ledger_guard_account(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_guard_account() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        IF NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.currency <> OLD.currency
           OR NEW.user_id IS DISTINCT FROM OLD.user_id
           OR NEW.wallet_number IS DISTINCT FROM OLD.wallet_number
           OR NEW.name IS DISTINCT FROM OLD.name THEN
          RAISE EXCEPTION USING ERRCODE = 'LD010', MESSAGE = 'a ledger account''s identity cannot change';
        END IF;
        IF NEW.balance <> OLD.balance AND pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD010',
            MESSAGE = 'a ledger balance changes only by inserting entries';
        END IF;
        RETURN NEW;
      END $$;

--
-- Name: ledger_post(text, text, text, text, uuid, uuid[], bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_post(p_kind text, p_key text, p_reference text, p_narration text, p_reverses uuid, p_accounts uuid[], p_amounts bigint[]) RETURNS TABLE(outcome text, transfer_id uuid, created_at timestamp with time zone, entry_id bigint, account_id uuid, amount bigint, balance_after bigint)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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
      END $$;

--
-- Name: ledger_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'LD010',
          MESSAGE = format('%s is append-only: %s is not allowed', TG_TABLE_NAME, TG_OP);
      END $$;

--
-- Name: ledger_system_account(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_system_account(p_name text, p_currency text) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
      DECLARE
        v_id uuid;
        v_currency text;
      BEGIN
        INSERT INTO ledger_accounts (kind, name, currency) VALUES ('system', p_name, p_currency)
        ON CONFLICT (name) DO NOTHING;
        SELECT id, currency INTO v_id, v_currency FROM ledger_accounts WHERE name = p_name;
        IF v_currency <> p_currency THEN
          RAISE EXCEPTION USING ERRCODE = 'LD004',
            MESSAGE = format('system account %s holds %s, not %s', p_name, v_currency, p_currency);
        END IF;
        RETURN v_id;
      END $$;

--
-- Name: ledger_wallet_transaction(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_wallet_transaction(p_entry_id bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
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
      END $$;

--
-- Name: ledger_wallet_transaction_type(text, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ledger_wallet_transaction_type(p_kind text, p_amount bigint) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT CASE WHEN p_kind = 'transfer' THEN CASE WHEN p_amount > 0 THEN 'transfer_in' ELSE 'transfer_out' END
                    ELSE p_kind END
      $$;

--
-- Name: notification_inbox_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.notification_inbox_add() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        INSERT INTO notification_inbox (event_id, created_at) VALUES (NEW.id, NEW.created_at);
        RETURN NULL;
      END $$;

--
-- Name: payment_audit_entries_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.payment_audit_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        RAISE EXCEPTION 'payment_audit_entries is append-only';
      END $$;

--
-- Name: payout_hold(uuid, text, uuid, uuid, uuid, uuid, text, bigint, text, text, text, boolean, timestamp with time zone, bigint, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.payout_hold(p_id uuid, p_reference text, p_user uuid, p_recipient uuid, p_wallet uuid, p_in_flight uuid, p_gateway text, p_amount bigint, p_currency text, p_status text, p_narration text, p_livemode boolean, p_created_at timestamp with time zone, p_daily_limit bigint, p_idempotency jsonb) RETURNS TABLE(outcome text, used_today bigint)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      #variable_conflict use_column
      DECLARE
        v_used bigint;
        v_outcome text;
        v_transfer uuid;
      BEGIN
        IF p_amount IS NULL OR p_amount <= 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a withdrawal amount must be positive';
        END IF;
        PERFORM 1 FROM payout_recipients
          WHERE id = p_recipient AND user_id = p_user AND deleted_at IS NULL FOR SHARE;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'recipient_not_found'::text, NULL::bigint;
          RETURN;
        END IF;
        PERFORM 1 FROM ledger_accounts WHERE id = p_wallet AND user_id = p_user FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = 'unknown wallet';
        END IF;
        SELECT coalesce(sum(amount), 0) INTO v_used FROM payouts
         WHERE user_id = p_user
           AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           AND status NOT IN ('failed', 'rejected', 'reversed');
        IF v_used + p_amount > p_daily_limit THEN
          RETURN QUERY SELECT 'daily_limit'::text, v_used;
          RETURN;
        END IF;
        SELECT p.outcome, p.transfer_id INTO v_outcome, v_transfer
          FROM ledger_post('withdrawal', 'withdrawal:' || p_id::text, p_reference, p_narration, NULL,
                           ARRAY[p_wallet, p_in_flight], ARRAY[-p_amount, p_amount]) p
         LIMIT 1;
        IF v_outcome <> 'created' THEN
          RETURN QUERY SELECT v_outcome, v_used;
          RETURN;
        END IF;
        INSERT INTO payouts (id, reference, user_id, recipient_id, gateway, amount, currency, status,
                             narration, livemode, hold_transfer_id, created_at)
        VALUES (p_id, p_reference, p_user, p_recipient, p_gateway, p_amount, p_currency, p_status,
                p_narration, p_livemode, v_transfer, p_created_at);
        PERFORM idempotency_complete(p_idempotency);
        RETURN QUERY SELECT 'created'::text, v_used;
      END $$;

--
-- Name: payout_hold_batch(uuid[], text[], uuid[], uuid[], uuid[], uuid[], text[], bigint[], text[], text[], text[], boolean[], timestamp with time zone[], bigint, jsonb[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.payout_hold_batch(p_ids uuid[], p_references text[], p_users uuid[], p_recipients uuid[], p_wallets uuid[], p_in_flights uuid[], p_gateways text[], p_amounts bigint[], p_currencies text[], p_statuses text[], p_narrations text[], p_livemodes boolean[], p_created_ats timestamp with time zone[], p_daily_limit bigint, p_idempotency jsonb[]) RETURNS TABLE(ord integer, outcome text, used_today bigint)
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
      END $$;

--
-- Name: payouts_guard_transition(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.payouts_guard_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        IF NEW.id <> OLD.id OR NEW.user_id <> OLD.user_id OR NEW.amount <> OLD.amount
           OR NEW.currency <> OLD.currency OR NEW.reference <> OLD.reference
           OR NEW.hold_transfer_id <> OLD.hold_transfer_id OR NEW.recipient_id <> OLD.recipient_id
           OR NEW.gateway <> OLD.gateway
           OR (OLD.settlement_transfer_id IS NOT NULL AND NEW.settlement_transfer_id IS DISTINCT FROM OLD.settlement_transfer_id)
           OR (OLD.return_transfer_id IS NOT NULL AND NEW.return_transfer_id IS DISTINCT FROM OLD.return_transfer_id) THEN
          RAISE EXCEPTION USING ERRCODE = 'PO001', MESSAGE = format('payout %s: its identity and money cannot change', OLD.id);
        END IF;
        IF NEW.status <> OLD.status AND (
             OLD.status IN ('failed', 'reversed', 'rejected')
             OR (OLD.status = 'succeeded' AND NEW.status <> 'reversed')
             OR (NEW.status = 'rejected' AND OLD.status <> 'pending_approval')
             OR (OLD.status = 'pending_approval' AND NEW.status NOT IN ('pending', 'rejected'))) THEN
          RAISE EXCEPTION USING ERRCODE = 'PO002',
            MESSAGE = format('payout %s cannot move from %s to %s', OLD.id, OLD.status, NEW.status);
        END IF;
        RETURN NEW;
      END $$;

--
-- Name: refunds_refuse_disputed(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refunds_refuse_disputed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM disputes d WHERE d.payment_id = NEW.payment_id AND d.status <> 'won') THEN
          RAISE EXCEPTION USING ERRCODE = 'DP001',
            MESSAGE = format('payment %s is disputed: the dispute returns the money, not a refund', NEW.payment_reference);
        END IF;
        RETURN NEW;
      END $$;

--
-- Name: wallet_deposit(uuid, uuid, bigint, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wallet_deposit(p_clearing uuid, p_wallet uuid, p_amount bigint, p_key text, p_reference text, p_event_id text) RETURNS TABLE(outcome text, wallet_transaction jsonb)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      DECLARE
        v_outcome text;
        v_entry bigint;
        v_created_at timestamptz;
        v_view jsonb;
      BEGIN
        SELECT p.outcome, p.entry_id, p.created_at INTO v_outcome, v_entry, v_created_at
          FROM ledger_post('deposit', p_key, p_reference, NULL, NULL,
                           ARRAY[p_clearing, p_wallet], ARRAY[-p_amount, p_amount]) p
         WHERE p.account_id = p_wallet;
        IF v_outcome = 'created' THEN
          v_view := ledger_wallet_transaction(v_entry);
          INSERT INTO events (id, user_id, type, data, created_at)
          SELECT p_event_id, a.user_id, 'wallet.deposit.success', v_view, v_created_at
            FROM ledger_accounts a WHERE a.id = p_wallet;
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$;

--
-- Name: wallet_transfer(uuid, uuid, bigint, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wallet_transfer(p_sender uuid, p_recipient uuid, p_amount bigint, p_reference text, p_narration text, p_event_id text) RETURNS TABLE(outcome text, wallet_transaction jsonb)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      DECLARE
        v_outcome text;
        v_entry bigint;
        v_created_at timestamptz;
        v_view jsonb;
      BEGIN
        IF p_amount IS NULL OR p_amount <= 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a wallet transfer amount must be positive';
        END IF;
        SELECT p.outcome, p.entry_id, p.created_at INTO v_outcome, v_entry, v_created_at
          FROM ledger_post('transfer', 'transfer:' || p_reference, p_reference, p_narration, NULL,
                           ARRAY[p_sender, p_recipient], ARRAY[-p_amount, p_amount]) p
         WHERE p.outcome = 'insufficient_funds' OR p.account_id = p_recipient;
        IF v_outcome = 'created' THEN
          v_view := ledger_wallet_transaction(v_entry);
          INSERT INTO events (id, user_id, type, data, created_at)
          SELECT p_event_id, a.user_id, 'wallet.transfer.received', v_view, v_created_at
            FROM ledger_accounts a WHERE a.id = p_recipient;
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$;

--
-- Name: wallet_transfer(uuid, uuid, bigint, text, text, text, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wallet_transfer(p_sender uuid, p_recipient uuid, p_amount bigint, p_reference text, p_narration text, p_event_id text, p_idempotency jsonb) RETURNS TABLE(outcome text, wallet_transaction jsonb)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      DECLARE
        v_outcome text;
        v_view jsonb;
      BEGIN
        SELECT t.outcome, t.wallet_transaction INTO v_outcome, v_view
          FROM wallet_transfer(p_sender, p_recipient, p_amount, p_reference, p_narration, p_event_id) t;
        IF v_outcome = 'created' THEN
          PERFORM idempotency_complete(p_idempotency);
        END IF;
        RETURN QUERY SELECT v_outcome, v_view;
      END $$;

--
-- Name: wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wallet_transfer_batch(p_senders uuid[], p_recipients uuid[], p_amounts bigint[], p_references text[], p_narrations text[], p_event_ids text[]) RETURNS TABLE(ord integer, outcome text, wallet_transaction jsonb)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      #variable_conflict use_column
      DECLARE
        v_count int := coalesce(cardinality(p_senders), 0);
        v_outcome text;
        v_view jsonb;
      BEGIN
        IF cardinality(p_recipients) <> v_count OR cardinality(p_amounts) <> v_count
           OR cardinality(p_references) <> v_count OR cardinality(p_narrations) <> v_count
           OR cardinality(p_event_ids) <> v_count THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'wallet_transfer_batch needs arrays of one length';
        END IF;
        IF EXISTS (SELECT 1 FROM unnest(p_amounts) a WHERE a IS NULL OR a <= 0) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'a wallet transfer amount must be positive';
        END IF;
        PERFORM 1 FROM ledger_accounts WHERE id = ANY(p_senders || p_recipients) ORDER BY id FOR UPDATE;
        FOR i IN 1 .. v_count LOOP
          SELECT t.outcome, t.wallet_transaction INTO v_outcome, v_view
            FROM wallet_transfer(p_senders[i], p_recipients[i], p_amounts[i], p_references[i],
                                 p_narrations[i], p_event_ids[i]) t;
          ord := i;
          outcome := v_outcome;
          wallet_transaction := v_view;
          RETURN NEXT;
        END LOOP;
      END $$;

--
-- Name: wallet_transfer_batch(uuid[], uuid[], bigint[], text[], text[], text[], jsonb[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.wallet_transfer_batch(p_senders uuid[], p_recipients uuid[], p_amounts bigint[], p_references text[], p_narrations text[], p_event_ids text[], p_idempotency jsonb[]) RETURNS TABLE(ord integer, outcome text, wallet_transaction jsonb)
    LANGUAGE plpgsql
    SET enable_seqscan TO 'off'
    SET plan_cache_mode TO 'force_generic_plan'
    AS $$
      #variable_conflict use_column
      DECLARE
        r record;
      BEGIN
        IF coalesce(cardinality(p_idempotency), 0) <> coalesce(cardinality(p_senders), 0) THEN
          RAISE EXCEPTION USING ERRCODE = 'LD002', MESSAGE = 'wallet_transfer_batch needs arrays of one length';
        END IF;
        FOR r IN
          SELECT b.ord, b.outcome, b.wallet_transaction
            FROM wallet_transfer_batch(p_senders, p_recipients, p_amounts, p_references,
                                       p_narrations, p_event_ids) b
        LOOP
          IF r.outcome = 'created' THEN
            PERFORM idempotency_complete(p_idempotency[r.ord]);
          END IF;
          ord := r.ord;
          outcome := r.outcome;
          wallet_transaction := r.wallet_transaction;
          RETURN NEXT;
        END LOOP;
      END $$;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    key_hash bytea NOT NULL,
    key_prefix text NOT NULL,
    permissions text[] NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    rolled_over_from_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_keys_check CHECK ((expires_at > created_at)),
    CONSTRAINT api_keys_key_hash_check CHECK ((octet_length(key_hash) = 32)),
    CONSTRAINT api_keys_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100))),
    CONSTRAINT api_keys_permissions_check CHECK (((cardinality(permissions) >= 1) AND (permissions <@ ARRAY['deposit'::text, 'payments'::text, 'payouts'::text, 'read'::text, 'refunds'::text, 'transfer'::text, 'webhooks'::text])))
);

--
-- Name: app_secrets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_secrets (
    name text NOT NULL,
    value text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: checkout_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkout_sessions (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    order_id uuid,
    amount bigint NOT NULL,
    currency text NOT NULL,
    email text,
    gateways text[],
    success_url text,
    cancel_url text,
    metadata jsonb,
    allowed_origins text[] NOT NULL,
    livemode boolean NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    payment_starting_until timestamp with time zone,
    CONSTRAINT checkout_sessions_amount_check CHECK ((amount > 0)),
    CONSTRAINT checkout_sessions_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text))
);

--
-- Name: dashboard_sign_in_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dashboard_sign_in_links (
    token_hash bytea NOT NULL,
    user_id uuid NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT dashboard_sign_in_links_check CHECK (((expires_at > created_at) AND (expires_at <= (created_at + '00:10:00'::interval)))),
    CONSTRAINT dashboard_sign_in_links_token_hash_check CHECK ((octet_length(token_hash) = 32))
);

--
-- Name: disputes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.disputes (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    payment_id uuid NOT NULL,
    payment_reference text NOT NULL,
    user_id uuid NOT NULL,
    gateway text NOT NULL,
    gateway_dispute_id text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    reason text,
    status text NOT NULL,
    gateway_status text,
    due_by timestamp with time zone,
    evidence_submitted_at timestamp with time zone,
    hold_state text DEFAULT 'none'::text NOT NULL,
    held_from_wallet bigint DEFAULT 0 NOT NULL,
    receivable_recorded bigint DEFAULT 0 NOT NULL,
    closed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    hold_amount bigint NOT NULL,
    CONSTRAINT disputes_amount_check CHECK (((amount > 0) AND (amount <= '9007199254740991'::bigint))),
    CONSTRAINT disputes_check1 CHECK (((status = ANY (ARRAY['won'::text, 'lost'::text, 'accepted'::text])) = (closed_at IS NOT NULL))),
    CONSTRAINT disputes_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT disputes_gateway_dispute_id_check CHECK (((length(gateway_dispute_id) >= 1) AND (length(gateway_dispute_id) <= 200))),
    CONSTRAINT disputes_gateway_status_check CHECK ((length(gateway_status) <= 100)),
    CONSTRAINT disputes_held_from_wallet_check CHECK ((held_from_wallet >= 0)),
    CONSTRAINT disputes_hold_amount_check CHECK (((hold_amount >= 0) AND (hold_amount <= amount))),
    CONSTRAINT disputes_hold_split_check CHECK ((((held_from_wallet + receivable_recorded) = 0) OR ((held_from_wallet + receivable_recorded) = hold_amount))),
    CONSTRAINT disputes_hold_state_check CHECK ((hold_state = ANY (ARRAY['none'::text, 'held'::text, 'released'::text, 'lost'::text, 'recorded'::text]))),
    CONSTRAINT disputes_reason_check CHECK ((length(reason) <= 500)),
    CONSTRAINT disputes_receivable_recorded_check CHECK ((receivable_recorded >= 0)),
    CONSTRAINT disputes_status_check CHECK ((status = ANY (ARRAY['open'::text, 'under_review'::text, 'won'::text, 'lost'::text, 'accepted'::text])))
);

--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id text NOT NULL,
    user_id uuid NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    relayed_at timestamp with time zone,
    CONSTRAINT events_id_check CHECK ((id ~~ 'evt\_%'::text))
);

--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    user_id uuid NOT NULL,
    key text NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    request_hash text NOT NULL,
    status text NOT NULL,
    response_status integer,
    response_body jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL,
    attempt uuid,
    attempt_started_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT idempotency_keys_check CHECK (((status = 'in_flight'::text) OR (response_status IS NOT NULL))),
    CONSTRAINT idempotency_keys_key_check CHECK (((length(key) >= 1) AND (length(key) <= 255))),
    CONSTRAINT idempotency_keys_status_check CHECK ((status = ANY (ARRAY['in_flight'::text, 'completed'::text])))
);

--
-- Name: inbound_webhook_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.inbound_webhook_events (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    gateway text NOT NULL,
    event_id text NOT NULL,
    type text NOT NULL,
    kind text NOT NULL,
    reference text,
    gateway_payment_id text,
    payload jsonb,
    normalized jsonb NOT NULL,
    headers jsonb NOT NULL,
    status text DEFAULT 'received'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    payment_id uuid,
    generation integer DEFAULT 0 NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    enqueued_at timestamp with time zone,
    processed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT inbound_webhook_events_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT inbound_webhook_events_event_id_check CHECK (((length(event_id) >= 1) AND (length(event_id) <= 512))),
    CONSTRAINT inbound_webhook_events_generation_check CHECK ((generation >= 0)),
    CONSTRAINT inbound_webhook_events_kind_check CHECK ((kind = ANY (ARRAY['dispute'::text, 'ignored'::text, 'payment'::text, 'payout'::text, 'refund'::text]))),
    CONSTRAINT inbound_webhook_events_status_check CHECK ((status = ANY (ARRAY['received'::text, 'processing'::text, 'processed'::text, 'unmatched'::text, 'failed'::text, 'ignored'::text])))
);

--
-- Name: ledger_accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_accounts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    wallet_number character(13),
    name text,
    currency character(3) NOT NULL,
    balance bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_accounts_balance_check CHECK (((balance >= '-9007199254740991'::bigint) AND (balance <= '9007199254740991'::bigint))),
    CONSTRAINT ledger_accounts_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT ledger_accounts_kind_check CHECK ((kind = ANY (ARRAY['user_wallet'::text, 'system'::text]))),
    CONSTRAINT ledger_accounts_name_check CHECK ((name ~ '^[a-z_]+(:[A-Za-z0-9_-]+)*$'::text)),
    CONSTRAINT ledger_accounts_user_balance_non_negative CHECK (((kind <> 'user_wallet'::text) OR (balance >= 0))),
    CONSTRAINT ledger_accounts_wallet_number_check CHECK ((wallet_number ~ '^[0-9]{13}$'::text)),
    CONSTRAINT ledger_accounts_wallet_shape CHECK ((((kind = 'user_wallet'::text) AND (user_id IS NOT NULL) AND (wallet_number IS NOT NULL) AND (name IS NULL)) OR ((kind = 'system'::text) AND (user_id IS NULL) AND (wallet_number IS NULL) AND (name IS NOT NULL))))
);

--
-- Name: ledger_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_entries (
    id bigint NOT NULL,
    transfer_id uuid NOT NULL,
    account_id uuid NOT NULL,
    amount bigint NOT NULL,
    balance_after bigint NOT NULL,
    created_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    CONSTRAINT ledger_entries_amount_check CHECK (((amount <> 0) AND ((amount >= '-9007199254740991'::bigint) AND (amount <= '9007199254740991'::bigint))))
);
ALTER TABLE ONLY public.ledger_entries ALTER COLUMN transfer_id SET (n_distinct=-0.5);

--
-- Name: ledger_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.ledger_entries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.ledger_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: ledger_transfers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_transfers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    reference text NOT NULL,
    narration text,
    reverses_transfer_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ledger_transfers_check CHECK (((kind = 'refund_reversal'::text) = (reverses_transfer_id IS NOT NULL))),
    CONSTRAINT ledger_transfers_key_check CHECK (((length(key) >= 1) AND (length(key) <= 200))),
    CONSTRAINT ledger_transfers_kind_check CHECK ((kind = ANY (ARRAY['deposit'::text, 'dispute_hold'::text, 'dispute_loss'::text, 'dispute_release'::text, 'refund'::text, 'refund_reversal'::text, 'transfer'::text, 'withdrawal'::text, 'withdrawal_reversal'::text, 'withdrawal_settlement'::text]))),
    CONSTRAINT ledger_transfers_narration_check CHECK ((length(narration) <= 255)),
    CONSTRAINT ledger_transfers_reference_check CHECK ((reference ~ '^[A-Za-z0-9-]{1,64}$'::text))
);

--
-- Name: migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.migrations (
    id integer NOT NULL,
    "timestamp" bigint NOT NULL,
    name character varying NOT NULL
);

--
-- Name: migrations_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.migrations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: migrations_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.migrations_id_seq OWNED BY public.migrations.id;

--
-- Name: notification_inbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification_inbox (
    event_id text NOT NULL,
    created_at timestamp with time zone NOT NULL
);

--
-- Name: notification_preferences; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification_preferences (
    user_id uuid NOT NULL,
    email jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notification_preferences_email_check CHECK ((jsonb_typeof(email) = 'object'::text))
);

--
-- Name: notifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notifications (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    event_id text NOT NULL,
    user_id uuid NOT NULL,
    type text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    data jsonb NOT NULL,
    read_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    email_to text,
    email_status text NOT NULL,
    email_attempts integer DEFAULT 0 NOT NULL,
    email_next_attempt_at timestamp with time zone,
    email_last_error text,
    email_sent_at timestamp with time zone,
    CONSTRAINT notifications_body_check CHECK ((length(body) <= 2000)),
    CONSTRAINT notifications_data_check CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT notifications_email_attempts_check CHECK ((email_attempts >= 0)),
    CONSTRAINT notifications_email_due_check CHECK (((email_status <> 'pending'::text) OR (email_next_attempt_at IS NOT NULL))),
    CONSTRAINT notifications_email_last_error_check CHECK ((length(email_last_error) <= 500)),
    CONSTRAINT notifications_email_recipient_check CHECK (((email_status = 'skipped'::text) OR (email_to IS NOT NULL))),
    CONSTRAINT notifications_email_sent_check CHECK (((email_status = ANY (ARRAY['sent'::text, 'logged'::text])) = (email_sent_at IS NOT NULL))),
    CONSTRAINT notifications_email_status_check CHECK ((email_status = ANY (ARRAY['pending'::text, 'sent'::text, 'logged'::text, 'failed'::text, 'skipped'::text]))),
    CONSTRAINT notifications_email_to_check CHECK ((length(email_to) <= 320)),
    CONSTRAINT notifications_title_check CHECK (((length(title) >= 1) AND (length(title) <= 200))),
    CONSTRAINT notifications_type_check CHECK (((length(type) >= 1) AND (length(type) <= 64)))
);

--
-- Name: oauth_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauth_states (
    state_hash bytea NOT NULL,
    code_verifier text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    browser_hash bytea,
    CONSTRAINT oauth_states_browser_hash_check CHECK ((octet_length(browser_hash) = 32)),
    CONSTRAINT oauth_states_state_hash_check CHECK ((octet_length(state_hash) = 32))
);

--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    receipt text NOT NULL,
    status text DEFAULT 'created'::text NOT NULL,
    paid_by_payment_id uuid,
    paid_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT orders_amount_check CHECK ((amount > 0)),
    CONSTRAINT orders_check CHECK (((status = 'paid'::text) = ((paid_at IS NOT NULL) AND (paid_by_payment_id IS NOT NULL)))),
    CONSTRAINT orders_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT orders_receipt_check CHECK (((length(receipt) >= 1) AND (length(receipt) <= 255))),
    CONSTRAINT orders_status_check CHECK ((status = ANY (ARRAY['created'::text, 'paid'::text])))
);

--
-- Name: payment_audit_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payment_audit_entries (
    id bigint NOT NULL,
    payment_id uuid NOT NULL,
    action text NOT NULL,
    source text NOT NULL,
    actor_user_id uuid,
    from_status text NOT NULL,
    to_status text NOT NULL,
    note text,
    details jsonb,
    inbound_event_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payment_audit_entries_action_check CHECK ((action = ANY (ARRAY['transition'::text, 'contradiction'::text, 'accept'::text, 'reject'::text])))
);

--
-- Name: payment_audit_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.payment_audit_entries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: payment_audit_entries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.payment_audit_entries_id_seq OWNED BY public.payment_audit_entries.id;

--
-- Name: payments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    reference text NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    gateway text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    amount_received bigint,
    amount_refunded bigint DEFAULT 0 NOT NULL,
    refund_status text DEFAULT 'none'::text NOT NULL,
    email text NOT NULL,
    callback_url text,
    metadata jsonb,
    order_id uuid,
    gateway_payment_id text,
    gateway_charge_id text,
    authorization_url text,
    access_code text,
    failure_reason text,
    review_reason text,
    reported_amount bigint,
    reported_currency text,
    reported_reference text,
    resolution text,
    resolved_by uuid,
    resolved_at timestamp with time zone,
    resolution_note text,
    expires_at timestamp with time zone NOT NULL,
    settled_at timestamp with time zone,
    last_verified_at timestamp with time zone,
    next_verify_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    livemode boolean GENERATED ALWAYS AS ((gateway <> 'test'::text)) STORED,
    capture_mode text DEFAULT 'automatic'::text NOT NULL,
    amount_authorized bigint,
    amount_to_capture bigint,
    capture_action text,
    capture_requested_at timestamp with time zone,
    gateway_authorization_id text,
    capture_request_key text,
    disputed text,
    CONSTRAINT payments_amount_authorized_check CHECK ((amount_authorized > 0)),
    CONSTRAINT payments_amount_check CHECK ((amount > 0)),
    CONSTRAINT payments_amount_received_check CHECK (((amount_received IS NULL) OR (amount_received > 0))),
    CONSTRAINT payments_amount_to_capture_check CHECK (((amount_to_capture IS NULL) OR ((amount_to_capture > 0) AND (amount_to_capture <= amount_authorized)))),
    CONSTRAINT payments_authorized_amount_check CHECK (((status <> 'authorized'::text) OR (amount_authorized IS NOT NULL))),
    CONSTRAINT payments_authorized_check CHECK (((status <> ALL (ARRAY['authorized'::text, 'canceled'::text])) OR (capture_mode = 'manual'::text))),
    CONSTRAINT payments_capture_action_check CHECK ((capture_action = ANY (ARRAY['capture'::text, 'cancel'::text]))),
    CONSTRAINT payments_capture_action_manual_check CHECK (((capture_action IS NULL) OR (capture_mode = 'manual'::text))),
    CONSTRAINT payments_capture_mode_check CHECK ((capture_mode = ANY (ARRAY['automatic'::text, 'manual'::text]))),
    CONSTRAINT payments_capture_request_key_check CHECK (((capture_request_key IS NULL) OR (capture_action IS NOT NULL))),
    CONSTRAINT payments_capture_requested_check CHECK (((capture_action IS NULL) = (capture_requested_at IS NULL))),
    CONSTRAINT payments_check CHECK (((amount_refunded >= 0) AND (amount_refunded <= COALESCE(amount_received, amount)))),
    CONSTRAINT payments_check1 CHECK (((status <> 'succeeded'::text) OR ((amount_received IS NOT NULL) AND (settled_at IS NOT NULL)))),
    CONSTRAINT payments_check2 CHECK (((resolution IS NULL) = (resolved_at IS NULL))),
    CONSTRAINT payments_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT payments_disputed_check CHECK ((disputed = ANY (ARRAY['open'::text, 'won'::text, 'lost'::text]))),
    CONSTRAINT payments_purpose_check CHECK ((purpose = ANY (ARRAY['payment'::text, 'wallet_deposit'::text]))),
    CONSTRAINT payments_reference_check CHECK ((reference ~ '^PAY-[0-9]{14}-[A-Z0-9]{8}$'::text)),
    CONSTRAINT payments_refund_status_check CHECK ((refund_status = ANY (ARRAY['none'::text, 'partial'::text, 'full'::text]))),
    CONSTRAINT payments_resolution_check CHECK ((resolution = ANY (ARRAY['accepted'::text, 'rejected'::text]))),
    CONSTRAINT payments_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'failed'::text, 'abandoned'::text, 'needs_review'::text, 'authorized'::text, 'canceled'::text])))
);

--
-- Name: payout_recipients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payout_recipients (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    gateway text NOT NULL,
    type text NOT NULL,
    account_name text NOT NULL,
    account_number text NOT NULL,
    account_number_last4 text NOT NULL,
    bank_code text NOT NULL,
    bank_name text,
    currency text NOT NULL,
    nickname text,
    gateway_recipient_code text,
    deleted_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payout_recipients_account_name_check CHECK (((length(account_name) >= 1) AND (length(account_name) <= 200))),
    CONSTRAINT payout_recipients_account_number_check CHECK ((account_number ~~ 'enc:v1:%'::text)),
    CONSTRAINT payout_recipients_account_number_last4_check CHECK ((account_number_last4 ~ '^[0-9]{1,4}$'::text)),
    CONSTRAINT payout_recipients_bank_code_check CHECK (((length(bank_code) >= 1) AND (length(bank_code) <= 20))),
    CONSTRAINT payout_recipients_bank_name_check CHECK ((length(bank_name) <= 200)),
    CONSTRAINT payout_recipients_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT payout_recipients_gateway_check CHECK ((gateway = ANY (ARRAY['paystack'::text, 'flutterwave'::text]))),
    CONSTRAINT payout_recipients_gateway_recipient_code_check CHECK ((length(gateway_recipient_code) <= 100)),
    CONSTRAINT payout_recipients_nickname_check CHECK ((length(nickname) <= 100)),
    CONSTRAINT payout_recipients_type_check CHECK ((type = ANY (ARRAY['bank_account'::text, 'mobile_money'::text])))
);

--
-- Name: payouts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.payouts (
    id uuid NOT NULL,
    reference text NOT NULL,
    user_id uuid NOT NULL,
    recipient_id uuid NOT NULL,
    gateway text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    status text NOT NULL,
    narration text,
    livemode boolean DEFAULT true NOT NULL,
    hold_transfer_id uuid NOT NULL,
    settlement_transfer_id uuid,
    return_transfer_id uuid,
    gateway_transfer_id text,
    failure_reason text,
    send_attempts integer DEFAULT 0 NOT NULL,
    transfer_sent_at timestamp with time zone,
    last_verified_at timestamp with time zone,
    next_verify_at timestamp with time zone,
    last_error text,
    enqueued_at timestamp with time zone,
    approved_by uuid,
    approved_at timestamp with time zone,
    rejected_by uuid,
    rejected_at timestamp with time zone,
    rejection_note text,
    finalized_by uuid,
    finalized_at timestamp with time zone,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT payouts_amount_check CHECK (((amount > 0) AND (amount <= '9007199254740991'::bigint))),
    CONSTRAINT payouts_approval_recorded CHECK (((approved_at IS NULL) = (approved_by IS NULL))),
    CONSTRAINT payouts_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT payouts_failure_reason_check CHECK ((length(failure_reason) <= 1000)),
    CONSTRAINT payouts_finalize_recorded CHECK (((finalized_at IS NULL) = (finalized_by IS NULL))),
    CONSTRAINT payouts_gateway_check CHECK ((gateway = ANY (ARRAY['paystack'::text, 'flutterwave'::text]))),
    CONSTRAINT payouts_gateway_transfer_id_check CHECK ((length(gateway_transfer_id) <= 100)),
    CONSTRAINT payouts_last_error_check CHECK ((length(last_error) <= 1000)),
    CONSTRAINT payouts_money_follows_status CHECK (
CASE status
    WHEN 'succeeded'::text THEN ((settlement_transfer_id IS NOT NULL) AND (return_transfer_id IS NULL))
    WHEN 'failed'::text THEN ((settlement_transfer_id IS NULL) AND (return_transfer_id IS NOT NULL))
    WHEN 'rejected'::text THEN ((settlement_transfer_id IS NULL) AND (return_transfer_id IS NOT NULL))
    WHEN 'reversed'::text THEN (return_transfer_id IS NOT NULL)
    ELSE ((settlement_transfer_id IS NULL) AND (return_transfer_id IS NULL))
END),
    CONSTRAINT payouts_narration_check CHECK ((length(narration) <= 255)),
    CONSTRAINT payouts_reference_check CHECK ((reference ~ '^WDR-[0-9]{14}-[A-Z0-9]{8}$'::text)),
    CONSTRAINT payouts_rejection_note_check CHECK ((length(rejection_note) <= 1000)),
    CONSTRAINT payouts_rejection_recorded CHECK (((status = 'rejected'::text) = ((rejected_at IS NOT NULL) AND (rejected_by IS NOT NULL)))),
    CONSTRAINT payouts_send_attempts_check CHECK ((send_attempts >= 0)),
    CONSTRAINT payouts_status_check CHECK ((status = ANY (ARRAY['pending_approval'::text, 'pending'::text, 'processing'::text, 'requires_otp'::text, 'succeeded'::text, 'failed'::text, 'reversed'::text, 'rejected'::text])))
);

--
-- Name: publishable_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.publishable_keys (
    user_id uuid NOT NULL,
    livemode boolean NOT NULL,
    key text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT publishable_keys_check CHECK (((key ~~ 'pk_live_%'::text) = livemode)),
    CONSTRAINT publishable_keys_key_check CHECK ((key ~ '^pk_(test|live)_[A-Za-z0-9_-]{32,64}$'::text))
);

--
-- Name: refresh_token_families; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refresh_token_families (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason text,
    CONSTRAINT refresh_token_families_check CHECK (((revoked_at IS NULL) = (revoked_reason IS NULL))),
    CONSTRAINT refresh_token_families_revoked_reason_check CHECK ((revoked_reason = ANY (ARRAY['logout'::text, 'reuse'::text])))
);

--
-- Name: refresh_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refresh_tokens (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    family_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT refresh_tokens_check CHECK ((expires_at > created_at)),
    CONSTRAINT refresh_tokens_token_hash_check CHECK ((octet_length(token_hash) = 32))
);

--
-- Name: refunds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.refunds (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    payment_id uuid NOT NULL,
    payment_reference text NOT NULL,
    user_id uuid NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    reason text,
    gateway text NOT NULL,
    gateway_refund_id text,
    gateway_refund_reference text,
    failure_reason text,
    initiated_by text NOT NULL,
    initiated_by_user_id uuid,
    wallet_debited boolean DEFAULT false NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_attempt_at timestamp with time zone,
    gateway_call_started_at timestamp with time zone,
    last_error text,
    needs_attention text,
    next_check_at timestamp with time zone,
    enqueued_at timestamp with time zone,
    resolved_by uuid,
    resolved_at timestamp with time zone,
    resolution_note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    CONSTRAINT refunds_amount_check CHECK ((amount > 0)),
    CONSTRAINT refunds_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT refunds_check CHECK (((status = ANY (ARRAY['succeeded'::text, 'failed'::text])) = (completed_at IS NOT NULL))),
    CONSTRAINT refunds_check1 CHECK (((status <> 'failed'::text) OR (failure_reason IS NOT NULL))),
    CONSTRAINT refunds_check2 CHECK (((initiated_by <> 'gateway'::text) OR (NOT wallet_debited))),
    CONSTRAINT refunds_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT refunds_initiated_by_check CHECK ((initiated_by = ANY (ARRAY['user'::text, 'admin'::text, 'gateway'::text]))),
    CONSTRAINT refunds_reason_check CHECK (((reason IS NULL) OR (length(reason) <= 500))),
    CONSTRAINT refunds_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'processing'::text, 'succeeded'::text, 'failed'::text])))
);

--
-- Name: test_gateway_charges; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.test_gateway_charges (
    reference text NOT NULL,
    amount bigint NOT NULL,
    currency text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    return_url text NOT NULL,
    settle_at timestamp with time zone,
    auto_outcome text,
    decided_at timestamp with time zone,
    notified_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    capture_method text DEFAULT 'automatic'::text NOT NULL,
    amount_captured bigint,
    capture_key text,
    void_key text,
    captured_at timestamp with time zone,
    canceled_at timestamp with time zone,
    CONSTRAINT test_gateway_charges_amount_check CHECK ((amount > 0)),
    CONSTRAINT test_gateway_charges_auto_outcome_check CHECK ((auto_outcome = ANY (ARRAY['succeeded'::text, 'failed'::text]))),
    CONSTRAINT test_gateway_charges_capture_key_check CHECK (((length(capture_key) >= 1) AND (length(capture_key) <= 255))),
    CONSTRAINT test_gateway_charges_capture_method_check CHECK ((capture_method = ANY (ARRAY['automatic'::text, 'manual'::text]))),
    CONSTRAINT test_gateway_charges_captured_check CHECK ((((amount_captured IS NULL) = (capture_key IS NULL)) AND ((amount_captured IS NULL) = (captured_at IS NULL)) AND ((amount_captured IS NULL) OR ((amount_captured > 0) AND (amount_captured <= amount))) AND (((capture_method = 'manual'::text) AND (status = 'succeeded'::text)) = (amount_captured IS NOT NULL)))),
    CONSTRAINT test_gateway_charges_check CHECK (((settle_at IS NULL) = (auto_outcome IS NULL))),
    CONSTRAINT test_gateway_charges_check1 CHECK (((status = 'pending'::text) = (decided_at IS NULL))),
    CONSTRAINT test_gateway_charges_check2 CHECK (((notified_at IS NULL) OR (decided_at IS NOT NULL))),
    CONSTRAINT test_gateway_charges_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT test_gateway_charges_manual_states_check CHECK (((status <> ALL (ARRAY['authorized'::text, 'canceled'::text])) OR (capture_method = 'manual'::text))),
    CONSTRAINT test_gateway_charges_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'authorized'::text, 'succeeded'::text, 'failed'::text, 'canceled'::text]))),
    CONSTRAINT test_gateway_charges_void_key_check CHECK (((length(void_key) >= 1) AND (length(void_key) <= 255))),
    CONSTRAINT test_gateway_charges_voided_check CHECK ((((status = 'canceled'::text) = (void_key IS NOT NULL)) AND ((void_key IS NULL) = (canceled_at IS NULL))))
);

--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    google_sub text,
    email text NOT NULL,
    name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_email_check CHECK ((email = lower(email)))
);

--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    event_id text NOT NULL,
    endpoint_id uuid NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone,
    last_status_code integer,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    delivered_at timestamp with time zone,
    CONSTRAINT webhook_deliveries_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT webhook_deliveries_check CHECK (((status <> 'pending'::text) OR (next_attempt_at IS NOT NULL))),
    CONSTRAINT webhook_deliveries_check1 CHECK (((status <> 'succeeded'::text) OR (delivered_at IS NOT NULL))),
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'failed'::text])))
);

--
-- Name: webhook_delivery_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_delivery_attempts (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    delivery_id uuid NOT NULL,
    attempt_number integer NOT NULL,
    status_code integer,
    duration_ms integer NOT NULL,
    error text,
    response_excerpt text,
    requested_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_delivery_attempts_attempt_number_check CHECK ((attempt_number > 0)),
    CONSTRAINT webhook_delivery_attempts_duration_ms_check CHECK ((duration_ms >= 0))
);

--
-- Name: webhook_endpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_endpoints (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    url text NOT NULL,
    events text[] NOT NULL,
    description text,
    enabled boolean DEFAULT true NOT NULL,
    disabled_reason text,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamp with time zone,
    failing_since timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_check CHECK (((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))),
    CONSTRAINT webhook_endpoints_events_check CHECK ((cardinality(events) > 0)),
    CONSTRAINT webhook_endpoints_url_check CHECK (((url ~ '^https?://'::text) AND (length(url) <= 2048)))
);

--
-- Name: migrations id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migrations ALTER COLUMN id SET DEFAULT nextval('public.migrations_id_seq'::regclass);

--
-- Name: payment_audit_entries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_audit_entries ALTER COLUMN id SET DEFAULT nextval('public.payment_audit_entries_id_seq'::regclass);

--
-- Name: migrations PK_8c82d7f526340ab734260ea46be; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migrations
    ADD CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY (id);

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);

--
-- Name: app_secrets app_secrets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_secrets
    ADD CONSTRAINT app_secrets_pkey PRIMARY KEY (name);

--
-- Name: app_secrets app_secrets_value_sealed; Type: CHECK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.app_secrets
    ADD CONSTRAINT app_secrets_value_sealed CHECK ((value ~~ 'enc:v1:%'::text)) NOT VALID;

--
-- Name: checkout_sessions checkout_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkout_sessions
    ADD CONSTRAINT checkout_sessions_pkey PRIMARY KEY (id);

--
-- Name: dashboard_sign_in_links dashboard_sign_in_links_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dashboard_sign_in_links
    ADD CONSTRAINT dashboard_sign_in_links_pkey PRIMARY KEY (token_hash);

--
-- Name: disputes disputes_gateway_gateway_dispute_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disputes
    ADD CONSTRAINT disputes_gateway_gateway_dispute_id_key UNIQUE (gateway, gateway_dispute_id);

--
-- Name: disputes disputes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disputes
    ADD CONSTRAINT disputes_pkey PRIMARY KEY (id);

--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);

--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key);

--
-- Name: inbound_webhook_events inbound_webhook_events_gateway_event_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound_webhook_events
    ADD CONSTRAINT inbound_webhook_events_gateway_event_id_key UNIQUE (gateway, event_id);

--
-- Name: inbound_webhook_events inbound_webhook_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound_webhook_events
    ADD CONSTRAINT inbound_webhook_events_pkey PRIMARY KEY (id);

--
-- Name: ledger_accounts ledger_accounts_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_accounts
    ADD CONSTRAINT ledger_accounts_name_key UNIQUE (name);

--
-- Name: ledger_accounts ledger_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_accounts
    ADD CONSTRAINT ledger_accounts_pkey PRIMARY KEY (id);

--
-- Name: ledger_accounts ledger_accounts_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_accounts
    ADD CONSTRAINT ledger_accounts_user_id_key UNIQUE (user_id);

--
-- Name: ledger_accounts ledger_accounts_wallet_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_accounts
    ADD CONSTRAINT ledger_accounts_wallet_number_key UNIQUE (wallet_number);

--
-- Name: ledger_entries ledger_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (id);

--
-- Name: ledger_entries ledger_entries_transfer_id_account_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_transfer_id_account_id_key UNIQUE (transfer_id, account_id);

--
-- Name: ledger_transfers ledger_transfers_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_transfers
    ADD CONSTRAINT ledger_transfers_key_key UNIQUE (key);

--
-- Name: ledger_transfers ledger_transfers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_transfers
    ADD CONSTRAINT ledger_transfers_pkey PRIMARY KEY (id);

--
-- Name: ledger_transfers ledger_transfers_reference_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_transfers
    ADD CONSTRAINT ledger_transfers_reference_key UNIQUE (reference);

--
-- Name: ledger_transfers ledger_transfers_reverses_transfer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_transfers
    ADD CONSTRAINT ledger_transfers_reverses_transfer_id_key UNIQUE (reverses_transfer_id);

--
-- Name: notification_inbox notification_inbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_inbox
    ADD CONSTRAINT notification_inbox_pkey PRIMARY KEY (event_id);

--
-- Name: notification_preferences notification_preferences_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_preferences
    ADD CONSTRAINT notification_preferences_pkey PRIMARY KEY (user_id);

--
-- Name: notifications notifications_event_user_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_event_user_key UNIQUE (event_id, user_id);

--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);

--
-- Name: oauth_states oauth_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_states
    ADD CONSTRAINT oauth_states_pkey PRIMARY KEY (state_hash);

--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

--
-- Name: payment_audit_entries payment_audit_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_audit_entries
    ADD CONSTRAINT payment_audit_entries_pkey PRIMARY KEY (id);

--
-- Name: payments payments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_pkey PRIMARY KEY (id);

--
-- Name: payments payments_reference_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_reference_key UNIQUE (reference);

--
-- Name: payout_recipients payout_recipients_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payout_recipients
    ADD CONSTRAINT payout_recipients_pkey PRIMARY KEY (id);

--
-- Name: payouts payouts_hold_transfer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_hold_transfer_id_key UNIQUE (hold_transfer_id);

--
-- Name: payouts payouts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_pkey PRIMARY KEY (id);

--
-- Name: payouts payouts_reference_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_reference_key UNIQUE (reference);

--
-- Name: payouts payouts_return_transfer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_return_transfer_id_key UNIQUE (return_transfer_id);

--
-- Name: payouts payouts_settlement_transfer_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_settlement_transfer_id_key UNIQUE (settlement_transfer_id);

--
-- Name: publishable_keys publishable_keys_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.publishable_keys
    ADD CONSTRAINT publishable_keys_key_key UNIQUE (key);

--
-- Name: publishable_keys publishable_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.publishable_keys
    ADD CONSTRAINT publishable_keys_pkey PRIMARY KEY (user_id, livemode);

--
-- Name: refresh_token_families refresh_token_families_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_token_families
    ADD CONSTRAINT refresh_token_families_pkey PRIMARY KEY (id);

--
-- Name: refresh_tokens refresh_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_pkey PRIMARY KEY (id);

--
-- Name: refunds refunds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_pkey PRIMARY KEY (id);

--
-- Name: test_gateway_charges test_gateway_charges_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.test_gateway_charges
    ADD CONSTRAINT test_gateway_charges_pkey PRIMARY KEY (reference);

--
-- Name: users users_email_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_email_key UNIQUE (email);

--
-- Name: users users_google_sub_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_google_sub_key UNIQUE (google_sub);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: webhook_deliveries webhook_deliveries_event_endpoint_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_endpoint_key UNIQUE (event_id, endpoint_id);

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);

--
-- Name: webhook_delivery_attempts webhook_delivery_attempts_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_delivery_attempts
    ADD CONSTRAINT webhook_delivery_attempts_number_key UNIQUE (delivery_id, attempt_number);

--
-- Name: webhook_delivery_attempts webhook_delivery_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_delivery_attempts
    ADD CONSTRAINT webhook_delivery_attempts_pkey PRIMARY KEY (id);

--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id);

--
-- Name: webhook_endpoints webhook_endpoints_secrets_sealed; Type: CHECK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_secrets_sealed CHECK (((secret ~~ 'enc:v1:%'::text) AND ((previous_secret IS NULL) OR (previous_secret ~~ 'enc:v1:%'::text)))) NOT VALID;

--
-- Name: api_keys_hash_uq; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX api_keys_hash_uq ON public.api_keys USING btree (key_hash);

--
-- Name: api_keys_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_user_created_idx ON public.api_keys USING btree (user_id, created_at DESC, id DESC);

--
-- Name: checkout_sessions_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkout_sessions_user_idx ON public.checkout_sessions USING btree (user_id, created_at);

--
-- Name: dashboard_sign_in_links_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX dashboard_sign_in_links_expires_idx ON public.dashboard_sign_in_links USING btree (expires_at);

--
-- Name: disputes_payment_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disputes_payment_idx ON public.disputes USING btree (payment_id);

--
-- Name: disputes_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disputes_status_idx ON public.disputes USING btree (status, created_at DESC, id DESC);

--
-- Name: disputes_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disputes_user_idx ON public.disputes USING btree (user_id, created_at DESC, id DESC);

--
-- Name: events_unrelayed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_unrelayed_idx ON public.events USING btree (created_at) WHERE (relayed_at IS NULL);

--
-- Name: events_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_user_created_idx ON public.events USING btree (user_id, created_at DESC, id DESC);

--
-- Name: idempotency_keys_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX idempotency_keys_expires_idx ON public.idempotency_keys USING btree (expires_at);

--
-- Name: inbound_webhook_events_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_webhook_events_open_idx ON public.inbound_webhook_events USING btree (received_at) WHERE (status = ANY (ARRAY['received'::text, 'processing'::text]));

--
-- Name: inbound_webhook_events_payload_kept_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_webhook_events_payload_kept_idx ON public.inbound_webhook_events USING btree (received_at) WHERE (payload IS NOT NULL);

--
-- Name: inbound_webhook_events_reference_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_webhook_events_reference_idx ON public.inbound_webhook_events USING btree (gateway, reference);

--
-- Name: inbound_webhook_events_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX inbound_webhook_events_status_idx ON public.inbound_webhook_events USING btree (status, received_at DESC, id DESC);

--
-- Name: ledger_entries_account_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_account_idx ON public.ledger_entries USING btree (account_id, id DESC);

--
-- Name: notification_inbox_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notification_inbox_created_idx ON public.notification_inbox USING btree (created_at);

--
-- Name: notifications_email_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_email_due_idx ON public.notifications USING btree (email_next_attempt_at) WHERE (email_status = 'pending'::text);

--
-- Name: notifications_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_user_created_idx ON public.notifications USING btree (user_id, created_at DESC, id DESC);

--
-- Name: notifications_user_unread_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_user_unread_idx ON public.notifications USING btree (user_id, created_at DESC, id DESC) WHERE (read_at IS NULL);

--
-- Name: oauth_states_expires_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oauth_states_expires_idx ON public.oauth_states USING btree (expires_at);

--
-- Name: orders_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX orders_user_created_idx ON public.orders USING btree (user_id, created_at DESC);

--
-- Name: payment_audit_entries_payment_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payment_audit_entries_payment_idx ON public.payment_audit_entries USING btree (payment_id, id);

--
-- Name: payments_authorized_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_authorized_idx ON public.payments USING btree (next_verify_at NULLS FIRST, created_at) WHERE (status = 'authorized'::text);

--
-- Name: payments_checkout_session_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_checkout_session_idx ON public.payments USING btree (((metadata ->> 'checkout_session_id'::text)), created_at) WHERE (metadata ? 'checkout_session_id'::text);

--
-- Name: payments_gateway_payment_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX payments_gateway_payment_id_key ON public.payments USING btree (gateway, gateway_payment_id) WHERE (gateway_payment_id IS NOT NULL);

--
-- Name: payments_reconcile_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_reconcile_idx ON public.payments USING btree (next_verify_at NULLS FIRST, created_at) WHERE (status = ANY (ARRAY['pending'::text, 'abandoned'::text]));

--
-- Name: payments_status_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_status_created_idx ON public.payments USING btree (status, created_at DESC, id DESC);

--
-- Name: payments_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payments_user_created_idx ON public.payments USING btree (user_id, created_at DESC, id DESC);

--
-- Name: payout_recipients_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payout_recipients_user_idx ON public.payout_recipients USING btree (user_id, created_at DESC, id DESC) WHERE (deleted_at IS NULL);

--
-- Name: payouts_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payouts_open_idx ON public.payouts USING btree (next_verify_at NULLS FIRST, created_at) WHERE (status = ANY (ARRAY['pending'::text, 'processing'::text]));

--
-- Name: payouts_recipient_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payouts_recipient_idx ON public.payouts USING btree (recipient_id);

--
-- Name: payouts_status_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payouts_status_created_idx ON public.payouts USING btree (status, created_at DESC, id DESC);

--
-- Name: payouts_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX payouts_user_created_idx ON public.payouts USING btree (user_id, created_at DESC, id DESC);

--
-- Name: refresh_token_families_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refresh_token_families_user_idx ON public.refresh_token_families USING btree (user_id);

--
-- Name: refresh_tokens_family_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refresh_tokens_family_idx ON public.refresh_tokens USING btree (family_id);

--
-- Name: refresh_tokens_hash_uq; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX refresh_tokens_hash_uq ON public.refresh_tokens USING btree (token_hash);

--
-- Name: refunds_gateway_refund_id_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX refunds_gateway_refund_id_key ON public.refunds USING btree (gateway, gateway_refund_id) WHERE (gateway_refund_id IS NOT NULL);

--
-- Name: refunds_gateway_refund_reference_key; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX refunds_gateway_refund_reference_key ON public.refunds USING btree (gateway, gateway_refund_reference) WHERE (gateway_refund_reference IS NOT NULL);

--
-- Name: refunds_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refunds_open_idx ON public.refunds USING btree (next_check_at NULLS FIRST, created_at) WHERE (status = ANY (ARRAY['pending'::text, 'processing'::text]));

--
-- Name: refunds_payment_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refunds_payment_idx ON public.refunds USING btree (payment_id, created_at DESC, id DESC);

--
-- Name: refunds_user_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX refunds_user_created_idx ON public.refunds USING btree (user_id, created_at DESC, id DESC);

--
-- Name: test_gateway_charges_settle_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX test_gateway_charges_settle_idx ON public.test_gateway_charges USING btree (settle_at) WHERE ((status = 'pending'::text) AND (settle_at IS NOT NULL));

--
-- Name: test_gateway_charges_unnotified_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX test_gateway_charges_unnotified_idx ON public.test_gateway_charges USING btree (decided_at) WHERE ((status <> 'pending'::text) AND (notified_at IS NULL));

--
-- Name: webhook_deliveries_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_due_idx ON public.webhook_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);

--
-- Name: webhook_deliveries_endpoint_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_endpoint_idx ON public.webhook_deliveries USING btree (endpoint_id, created_at DESC);

--
-- Name: webhook_endpoints_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_endpoints_user_idx ON public.webhook_endpoints USING btree (user_id, created_at DESC);

--
-- Name: events events_notification_inbox; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_notification_inbox AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.notification_inbox_add();

--
-- Name: ledger_accounts ledger_accounts_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON public.ledger_accounts FOR EACH ROW EXECUTE FUNCTION public.ledger_guard_account();

--
-- Name: ledger_accounts ledger_accounts_no_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON public.ledger_accounts FOR EACH ROW EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: ledger_accounts ledger_accounts_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON public.ledger_accounts FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: ledger_entries ledger_entries_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_append_only BEFORE DELETE OR UPDATE ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: ledger_entries ledger_entries_apply; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_apply BEFORE INSERT ON public.ledger_entries FOR EACH ROW EXECUTE FUNCTION public.ledger_apply_entry();

--
-- Name: ledger_entries ledger_entries_balanced; Type: TRIGGER; Schema: public; Owner: -
--

CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON public.ledger_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.ledger_check_transfer_balanced();

--
-- Name: ledger_entries ledger_entries_collect_dispute_receivable; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_collect_dispute_receivable AFTER INSERT ON public.ledger_entries FOR EACH ROW WHEN ((new.amount > 0)) EXECUTE FUNCTION public.dispute_collect_receivable();

--
-- Name: ledger_entries ledger_entries_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON public.ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: ledger_transfers ledger_transfers_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_transfers_append_only BEFORE DELETE OR UPDATE ON public.ledger_transfers FOR EACH ROW EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: ledger_transfers ledger_transfers_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON public.ledger_transfers FOR EACH STATEMENT EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: payment_audit_entries payment_audit_entries_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER payment_audit_entries_append_only BEFORE DELETE OR UPDATE ON public.payment_audit_entries FOR EACH ROW EXECUTE FUNCTION public.payment_audit_entries_append_only();

--
-- Name: payouts payouts_guard; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER payouts_guard BEFORE UPDATE ON public.payouts FOR EACH ROW EXECUTE FUNCTION public.payouts_guard_transition();

--
-- Name: payouts payouts_no_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER payouts_no_delete BEFORE DELETE ON public.payouts FOR EACH ROW EXECUTE FUNCTION public.ledger_refuse_change();

--
-- Name: refunds refunds_refuse_disputed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER refunds_refuse_disputed BEFORE INSERT ON public.refunds FOR EACH ROW EXECUTE FUNCTION public.refunds_refuse_disputed();

--
-- Name: api_keys api_keys_rolled_over_from_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_rolled_over_from_id_fkey FOREIGN KEY (rolled_over_from_id) REFERENCES public.api_keys(id) ON DELETE SET NULL;

--
-- Name: api_keys api_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: checkout_sessions checkout_sessions_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkout_sessions
    ADD CONSTRAINT checkout_sessions_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

--
-- Name: checkout_sessions checkout_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkout_sessions
    ADD CONSTRAINT checkout_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: dashboard_sign_in_links dashboard_sign_in_links_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dashboard_sign_in_links
    ADD CONSTRAINT dashboard_sign_in_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: disputes disputes_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disputes
    ADD CONSTRAINT disputes_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(id);

--
-- Name: disputes disputes_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disputes
    ADD CONSTRAINT disputes_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: events events_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: idempotency_keys idempotency_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: inbound_webhook_events inbound_webhook_events_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.inbound_webhook_events
    ADD CONSTRAINT inbound_webhook_events_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(id);

--
-- Name: ledger_accounts ledger_accounts_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_accounts
    ADD CONSTRAINT ledger_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: ledger_entries ledger_entries_account_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.ledger_accounts(id);

--
-- Name: ledger_entries ledger_entries_transfer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_transfer_id_fkey FOREIGN KEY (transfer_id) REFERENCES public.ledger_transfers(id);

--
-- Name: ledger_transfers ledger_transfers_reverses_transfer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_transfers
    ADD CONSTRAINT ledger_transfers_reverses_transfer_id_fkey FOREIGN KEY (reverses_transfer_id) REFERENCES public.ledger_transfers(id);

--
-- Name: notification_inbox notification_inbox_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_inbox
    ADD CONSTRAINT notification_inbox_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;

--
-- Name: notification_preferences notification_preferences_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_preferences
    ADD CONSTRAINT notification_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: notifications notifications_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);

--
-- Name: notifications notifications_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: orders orders_paid_by_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_paid_by_payment_id_fkey FOREIGN KEY (paid_by_payment_id) REFERENCES public.payments(id);

--
-- Name: orders orders_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: payment_audit_entries payment_audit_entries_actor_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_audit_entries
    ADD CONSTRAINT payment_audit_entries_actor_user_id_fkey FOREIGN KEY (actor_user_id) REFERENCES public.users(id);

--
-- Name: payment_audit_entries payment_audit_entries_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payment_audit_entries
    ADD CONSTRAINT payment_audit_entries_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(id);

--
-- Name: payments payments_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

--
-- Name: payments payments_resolved_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES public.users(id);

--
-- Name: payments payments_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: payout_recipients payout_recipients_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payout_recipients
    ADD CONSTRAINT payout_recipients_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: payouts payouts_approved_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_approved_by_fkey FOREIGN KEY (approved_by) REFERENCES public.users(id);

--
-- Name: payouts payouts_finalized_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_finalized_by_fkey FOREIGN KEY (finalized_by) REFERENCES public.users(id);

--
-- Name: payouts payouts_hold_transfer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_hold_transfer_id_fkey FOREIGN KEY (hold_transfer_id) REFERENCES public.ledger_transfers(id);

--
-- Name: payouts payouts_recipient_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_recipient_id_fkey FOREIGN KEY (recipient_id) REFERENCES public.payout_recipients(id);

--
-- Name: payouts payouts_rejected_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_rejected_by_fkey FOREIGN KEY (rejected_by) REFERENCES public.users(id);

--
-- Name: payouts payouts_return_transfer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_return_transfer_id_fkey FOREIGN KEY (return_transfer_id) REFERENCES public.ledger_transfers(id);

--
-- Name: payouts payouts_settlement_transfer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_settlement_transfer_id_fkey FOREIGN KEY (settlement_transfer_id) REFERENCES public.ledger_transfers(id);

--
-- Name: payouts payouts_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.payouts
    ADD CONSTRAINT payouts_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: publishable_keys publishable_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.publishable_keys
    ADD CONSTRAINT publishable_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: refresh_token_families refresh_token_families_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_token_families
    ADD CONSTRAINT refresh_token_families_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- Name: refresh_tokens refresh_tokens_family_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT refresh_tokens_family_id_fkey FOREIGN KEY (family_id) REFERENCES public.refresh_token_families(id) ON DELETE CASCADE;

--
-- Name: refunds refunds_initiated_by_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_initiated_by_user_id_fkey FOREIGN KEY (initiated_by_user_id) REFERENCES public.users(id);

--
-- Name: refunds refunds_payment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_payment_id_fkey FOREIGN KEY (payment_id) REFERENCES public.payments(id);

--
-- Name: refunds refunds_resolved_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_resolved_by_fkey FOREIGN KEY (resolved_by) REFERENCES public.users(id);

--
-- Name: refunds refunds_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.refunds
    ADD CONSTRAINT refunds_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

--
-- Name: webhook_deliveries webhook_deliveries_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_id_fkey FOREIGN KEY (endpoint_id) REFERENCES public.webhook_endpoints(id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);

--
-- Name: webhook_delivery_attempts webhook_delivery_attempts_delivery_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_delivery_attempts
    ADD CONSTRAINT webhook_delivery_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES public.webhook_deliveries(id) ON DELETE CASCADE;

--
-- Name: webhook_endpoints webhook_endpoints_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

--
-- PostgreSQL database dump complete
--
