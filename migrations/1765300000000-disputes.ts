import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disputes and chargebacks (SPEC §17), with their money rules in the database.
 *
 * Accounts, per user, created on first use (system accounts, so they may go negative):
 * - `disputes_held:<user id>`: what the gateway has taken back for the user's open disputes;
 * - `dispute_receivable:<user id>`: minus what the user still owes because their wallet no longer
 *   held the disputed money when the dispute opened.
 *
 * Transfer kinds, each posted at most once per dispute (ledger keys `dispute_hold:<id>`,
 * `dispute_release:<id>`, `dispute_loss:<id>` are unique; release and loss share the reference
 * `DSPR-<id>`, which is unique too, so a dispute can never be both released and lost):
 * - `dispute_hold`: wallet −(what it holds, at most the amount), receivable −(the rest),
 *   disputes_held +amount. A user balance never goes negative.
 * - `dispute_release` (won): disputes_held −amount, wallet +amount (the collection trigger then
 *   takes back whatever the hold recorded as receivable).
 * - `dispute_loss` (lost or accepted): disputes_held −amount, gateway clearing +amount.
 * - collection (kind `dispute_hold` too, key `dispute_collection:<entry id>`): wallet −x,
 *   receivable +x, posted by a trigger in the same statement as ANY credit to a wallet whose user
 *   owes a receivable (deposits, transfers in, refund reversals, payout returns, releases):
 *   x = min(credit, owed). Callers do nothing for it. Being a `dispute_hold`, it shows in the
 *   wallet history as one (SPEC §5's types) with no change to ledger_wallet_transaction_type.
 *
 * `dispute_sync_ledger(dispute)` moves the books to what the dispute's status implies (open or
 * under review: held; won: held then released; lost or accepted: held then lost), whatever order
 * the events came in and however often it is called.
 *
 * Lock order, so these never deadlock with each other or with deposits: a user's wallet row is
 * locked before that user's receivable or held account (every credit locks the wallet first
 * through ledger_post, and the collection trigger only then locks the receivable; the sync
 * function locks the wallet explicitly before posting).
 *
 * A refund cannot start while a dispute on the payment is not won (trigger on refunds, DP001),
 * so a payer is never paid back twice for the same money.
 */
const DISPUTE_KINDS = `'dispute_hold', 'dispute_release', 'dispute_loss'`;

/**
 * Adds (or removes) values in `<table>_kind_check` as the list stands when this runs, instead of
 * writing the whole list again: kinds another branch's migration added (payouts) are kept,
 * whichever of the two runs first.
 */
function changeKindCheck(table: string, kinds: string, change: 'add' | 'remove'): string {
  const constraint = `${table}_kind_check`;
  const next =
    change === 'add'
      ? `ARRAY(SELECT DISTINCT k FROM unnest(v_kinds || ARRAY[${kinds}]) k ORDER BY 1)`
      : `ARRAY(SELECT k FROM unnest(v_kinds) k WHERE k <> ALL (ARRAY[${kinds}]) ORDER BY 1)`;
  return `
    DO $$
    DECLARE
      v_kinds text[];
    BEGIN
      SELECT array_agg(m[1]) INTO v_kinds
        FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
       WHERE c.conname = '${constraint}' AND c.conrelid = '${table}'::regclass;
      v_kinds := ${next};
      ALTER TABLE ${table} DROP CONSTRAINT ${constraint};
      EXECUTE format('ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (kind IN (%s))',
                     (SELECT string_agg(quote_literal(k), ', ') FROM unnest(v_kinds) k));
    END $$`;
}

/** The first `dispute_sync_ledger` (holds the whole disputed amount); 1765900000000 replaces it. */
export const DISPUTE_SYNC_LEDGER_V1 = `
      CREATE FUNCTION dispute_sync_ledger(p_dispute uuid) RETURNS TABLE (move text)
      LANGUAGE plpgsql SET enable_seqscan TO 'off' AS $$
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
        UPDATE payments SET disputed = CASE d.status WHEN 'won' THEN 'won'
                                                     WHEN 'lost' THEN 'lost'
                                                     WHEN 'accepted' THEN 'lost'
                                                     ELSE 'open' END,
                            updated_at = now()
         WHERE id = d.payment_id;
        IF v_purpose <> 'wallet_deposit' THEN
          -- A plain payment never entered the ledger: the hold is recorded on the dispute alone.
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
          v_from_wallet := least(v_balance, d.amount);
          v_short := d.amount - v_from_wallet;
          v_accounts := ARRAY[v_held];
          v_amounts := ARRAY[d.amount];
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
                                     v_narration, NULL, ARRAY[v_held, v_wallet], ARRAY[-d.amount, d.amount]);
          UPDATE disputes SET hold_state = 'released', updated_at = now() WHERE id = d.id;
          move := 'release';
          RETURN NEXT;
        ELSIF d.status IN ('lost', 'accepted')
           AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.key = 'dispute_loss:' || d.id::text) THEN
          v_clearing := ledger_system_account('clearing:' || d.gateway || ':' || d.currency, d.currency);
          PERFORM 1 FROM ledger_post('dispute_loss', 'dispute_loss:' || d.id::text, 'DSPR-' || d.id::text,
                                     v_narration, NULL, ARRAY[v_held, v_clearing], ARRAY[-d.amount, d.amount]);
          UPDATE disputes SET hold_state = 'lost', updated_at = now() WHERE id = d.id;
          move := 'loss';
          RETURN NEXT;
        END IF;
      END $$`;

export class Disputes1765300000000 implements MigrationInterface {
  name = 'Disputes1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL REFERENCES payments(id),
        payment_reference text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id),
        gateway text NOT NULL,
        gateway_dispute_id text NOT NULL CHECK (length(gateway_dispute_id) BETWEEN 1 AND 200),
        amount bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        reason text CHECK (length(reason) <= 500),
        status text NOT NULL CHECK (status IN ('open', 'under_review', 'won', 'lost', 'accepted')),
        gateway_status text CHECK (length(gateway_status) <= 100),
        due_by timestamptz,
        evidence_submitted_at timestamptz,
        hold_state text NOT NULL DEFAULT 'none'
          CHECK (hold_state IN ('none', 'held', 'released', 'lost', 'recorded')),
        held_from_wallet bigint NOT NULL DEFAULT 0 CHECK (held_from_wallet >= 0),
        receivable_recorded bigint NOT NULL DEFAULT 0 CHECK (receivable_recorded >= 0),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (gateway, gateway_dispute_id),
        CHECK (held_from_wallet + receivable_recorded IN (0, amount)),
        CHECK ((status IN ('won', 'lost', 'accepted')) = (closed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX disputes_user_idx ON disputes (user_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX disputes_payment_idx ON disputes (payment_id)`);
    await q.query(
      `CREATE INDEX disputes_status_idx ON disputes (status, created_at DESC, id DESC)`,
    );
    await q.query(
      `ALTER TABLE payments ADD COLUMN disputed text CHECK (disputed IN ('open', 'won', 'lost'))`,
    );

    await q.query(changeKindCheck('inbound_webhook_events', `'dispute'`, 'add'));
    await q.query(changeKindCheck('ledger_transfers', DISPUTE_KINDS, 'add'));

    await q.query(`
      CREATE FUNCTION ledger_system_account(p_name text, p_currency text) RETURNS uuid
      LANGUAGE plpgsql AS $$
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
      END $$`);

    await q.query(`
      CREATE FUNCTION dispute_collect_receivable() RETURNS trigger
      LANGUAGE plpgsql SET enable_seqscan TO 'off' AS $$
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
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_collect_dispute_receivable
      AFTER INSERT ON ledger_entries FOR EACH ROW WHEN (NEW.amount > 0)
      EXECUTE FUNCTION dispute_collect_receivable()`);

    await q.query(DISPUTE_SYNC_LEDGER_V1);

    await q.query(`
      CREATE FUNCTION refunds_refuse_disputed() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM disputes d WHERE d.payment_id = NEW.payment_id AND d.status <> 'won') THEN
          RAISE EXCEPTION USING ERRCODE = 'DP001',
            MESSAGE = format('payment %s is disputed: the dispute returns the money, not a refund', NEW.payment_reference);
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER refunds_refuse_disputed BEFORE INSERT ON refunds
      FOR EACH ROW EXECUTE FUNCTION refunds_refuse_disputed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER refunds_refuse_disputed ON refunds`);
    await q.query(`DROP FUNCTION refunds_refuse_disputed()`);
    await q.query(`DROP FUNCTION dispute_sync_ledger(uuid)`);
    await q.query(`DROP TRIGGER ledger_entries_collect_dispute_receivable ON ledger_entries`);
    await q.query(`DROP FUNCTION dispute_collect_receivable()`);
    await q.query(`DROP FUNCTION ledger_system_account(text, text)`);
    await q.query(changeKindCheck('ledger_transfers', DISPUTE_KINDS, 'remove'));
    await q.query(changeKindCheck('inbound_webhook_events', `'dispute'`, 'remove'));
    await q.query(`ALTER TABLE payments DROP COLUMN disputed`);
    await q.query(`DROP TABLE disputes`);
  }
}
