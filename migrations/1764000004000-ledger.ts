import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first definitions of functions that later migrations replace (their `down()` restores
 * these): kept here once, as this migration created them.
 */
export const LEDGER_CHECK_TRANSFER_BALANCED_V1 = `
      CREATE FUNCTION ledger_check_transfer_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_sum numeric;
        v_lines int;
        v_currencies int;
      BEGIN
        SELECT sum(e.amount), count(*), count(DISTINCT a.currency)
          INTO v_sum, v_lines, v_currencies
          FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
         WHERE e.transfer_id = NEW.transfer_id;
        IF v_sum <> 0 OR v_lines < 2 OR v_currencies <> 1 THEN
          RAISE EXCEPTION USING ERRCODE = 'LD011',
            MESSAGE = format('ledger transfer %s is unbalanced (sum %s over %s entries in %s currencies)',
                             NEW.transfer_id, v_sum, v_lines, v_currencies);
        END IF;
        RETURN NULL;
      END $$`;

export const LEDGER_WALLET_TRANSACTION_V1 = `
      CREATE FUNCTION ledger_wallet_transaction(p_entry_id bigint) RETURNS jsonb
      LANGUAGE sql STABLE AS $$
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
            SELECT ca.wallet_number::text FROM ledger_entries ce JOIN ledger_accounts ca ON ca.id = ce.account_id
             WHERE ce.transfer_id = e.transfer_id AND ce.account_id <> e.account_id AND ca.kind = 'user_wallet'
             LIMIT 1),
          'narration', t.narration,
          'balance_after', e.balance_after,
          'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
        FROM ledger_entries e
        JOIN ledger_transfers t ON t.id = e.transfer_id
        JOIN ledger_accounts a ON a.id = e.account_id
        WHERE e.id = p_entry_id
      $$`;

export const LEDGER_POST_V1 = `
      CREATE FUNCTION ledger_post(
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
        RETURN QUERY
          SELECT 'existing'::text, t.id, t.created_at, e.id, e.account_id, e.amount, e.balance_after
            FROM ledger_transfers t JOIN ledger_entries e ON e.transfer_id = t.id
           WHERE t.key = p_key ORDER BY e.id;
        IF FOUND THEN
          RETURN;
        END IF;

        RETURN QUERY
          SELECT 'insufficient_funds'::text, NULL::uuid, NULL::timestamptz, NULL::bigint, a.id, l.amt, a.balance
            FROM ledger_accounts a JOIN unnest(p_accounts, p_amounts) AS l(acc, amt) ON a.id = l.acc
           WHERE a.kind = 'user_wallet' AND l.amt < 0 AND a.balance + l.amt < 0
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
          RETURN QUERY
            SELECT 'existing'::text, t.id, t.created_at, e.id, e.account_id, e.amount, e.balance_after
              FROM ledger_transfers t JOIN ledger_entries e ON e.transfer_id = t.id
             WHERE t.key = p_key ORDER BY e.id;
          RETURN;
        END IF;

        RETURN QUERY
          INSERT INTO ledger_entries AS e (transfer_id, account_id, amount)
          SELECT v_transfer, l.acc, l.amt FROM unnest(p_accounts, p_amounts) AS l(acc, amt) ORDER BY l.acc
          RETURNING 'created'::text, v_transfer, v_created_at, e.id, e.account_id, e.amount, e.balance_after;
      END $$`;

/**
 * The wallet ledger. Accounts hold a cached balance; transfers group entries; entries are
 * append-only movements. What must never happen is refused by the database itself:
 * - a user wallet below zero (CHECK), whatever code runs;
 * - a balance that is not the sum of its entries: only inserting an entry moves a balance (the
 *   entry trigger updates the account and stamps `balance_after`), a direct balance UPDATE raises;
 * - an UPDATE, DELETE or TRUNCATE of entries or transfers (triggers raise);
 * - a transfer whose entries do not sum to zero or mix currencies (deferred constraint trigger,
 *   checked at commit so the entries of one transfer may be inserted one by one);
 * - two transfers for the same thing (unique `key`, e.g. `deposit:<payment id>`).
 */
export class Ledger1764000004000 implements MigrationInterface {
  name = 'Ledger1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('user_wallet', 'system')),
        user_id uuid UNIQUE REFERENCES users(id),
        wallet_number char(13) UNIQUE CHECK (wallet_number ~ '^[0-9]{13}$'),
        name text UNIQUE CHECK (name ~ '^[a-z_]+(:[A-Za-z0-9_-]+)*$'),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        balance bigint NOT NULL DEFAULT 0
          CHECK (balance BETWEEN -9007199254740991 AND 9007199254740991),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_user_balance_non_negative CHECK (kind <> 'user_wallet' OR balance >= 0),
        CONSTRAINT ledger_accounts_wallet_shape CHECK (
          (kind = 'user_wallet' AND user_id IS NOT NULL AND wallet_number IS NOT NULL AND name IS NULL)
          OR (kind = 'system' AND user_id IS NULL AND wallet_number IS NULL AND name IS NOT NULL)
        )
      )`);

    await q.query(`
      CREATE TABLE ledger_transfers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('deposit', 'transfer', 'refund', 'refund_reversal')),
        key text NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 200),
        reference text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9-]{1,64}$'),
        narration text CHECK (length(narration) <= 255),
        reverses_transfer_id uuid UNIQUE REFERENCES ledger_transfers(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'refund_reversal') = (reverses_transfer_id IS NOT NULL))
      )`);

    await q.query(`
      CREATE TABLE ledger_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES ledger_transfers(id),
        account_id uuid NOT NULL REFERENCES ledger_accounts(id),
        amount bigint NOT NULL CHECK (amount <> 0 AND amount BETWEEN -9007199254740991 AND 9007199254740991),
        balance_after bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (transfer_id, account_id)
      )`);
    // A wallet's history, newest first, pages on the entry id.
    await q.query(
      `CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, id DESC)`,
    );

    await q.query(`
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'LD010',
          MESSAGE = format('%s is append-only: %s is not allowed', TG_TABLE_NAME, TG_OP);
      END $$`);
    for (const table of ['ledger_entries', 'ledger_transfers']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);
    }
    await q.query(`
      CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`);

    // An entry moves its account's balance, in the same statement, and records the result. The
    // balance_after a client supplies is ignored: the ledger computes it.
    await q.query(`
      CREATE FUNCTION ledger_apply_entry() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ledger_accounts SET balance = balance + NEW.amount, updated_at = now()
        WHERE id = NEW.account_id
        RETURNING balance INTO NEW.balance_after;
        IF NOT FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'LD003', MESSAGE = format('no ledger account %s', NEW.account_id);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_apply BEFORE INSERT ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_apply_entry()`);

    // Balances move only through entries (the trigger above runs one level down), and an
    // account's identity never changes.
    await q.query(`
      CREATE FUNCTION ledger_guard_account() RETURNS trigger LANGUAGE plpgsql AS $$
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
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION ledger_guard_account()`);

    await q.query(LEDGER_CHECK_TRANSFER_BALANCED_V1);
    await q.query(`
      CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION ledger_check_transfer_balanced()`);

    // The one way the application posts: locks every account in id order (so opposite-direction
    // transfers cannot deadlock), is idempotent on the key (an existing transfer is returned with
    // outcome 'existing'), answers a shortfall with outcome 'insufficient_funds' having written
    // nothing (an expected answer, not an error), then inserts the transfer and its entries.
    // One round trip. The CHECK on ledger_accounts still has the last word.
    await q.query(LEDGER_POST_V1);
    // A wallet's side of a transfer as the API shows it (GET /wallet/transactions and the data of
    // wallet.* events): one definition, so an event is exactly what the history shows.
    await q.query(`
      CREATE FUNCTION ledger_wallet_transaction_type(p_kind text, p_amount bigint) RETURNS text
      LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN p_kind = 'transfer' THEN CASE WHEN p_amount > 0 THEN 'transfer_in' ELSE 'transfer_out' END
                    ELSE p_kind END
      $$`);
    await q.query(LEDGER_WALLET_TRANSACTION_V1);

    // A wallet-to-wallet transfer and its outbox event (wallet.transfer.received for the
    // recipient, the same row OutboxService.record writes) in one statement: run in autocommit it
    // is one round trip and one transaction, and the sender's row lock is held only until that
    // statement commits, which is what bounds a busy sender's throughput.
    await q.query(`
      CREATE FUNCTION wallet_transfer(
        p_sender uuid, p_recipient uuid, p_amount bigint, p_reference text, p_narration text, p_event_id text
      ) RETURNS TABLE (outcome text, wallet_transaction jsonb) LANGUAGE plpgsql AS $$
      DECLARE
        v_outcome text;
        v_entry bigint;
        v_created_at timestamptz;
        v_view jsonb;
      BEGIN
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
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION wallet_transfer(uuid, uuid, bigint, text, text, text)`);
    await q.query(`DROP FUNCTION ledger_wallet_transaction(bigint)`);
    await q.query(`DROP FUNCTION ledger_wallet_transaction_type(text, bigint)`);
    await q.query(`DROP FUNCTION ledger_post(text, text, text, text, uuid, uuid[], bigint[])`);
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP TABLE ledger_transfers`);
    await q.query(`DROP TABLE ledger_accounts`);
    await q.query(`DROP FUNCTION ledger_check_transfer_balanced()`);
    await q.query(`DROP FUNCTION ledger_guard_account()`);
    await q.query(`DROP FUNCTION ledger_apply_entry()`);
    await q.query(`DROP FUNCTION ledger_refuse_change()`);
  }
}
