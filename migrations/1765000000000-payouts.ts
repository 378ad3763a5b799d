import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Adds values to a `CHECK (col = ANY (ARRAY[...]))` or `CHECK (col IN (...))` constraint, keeping
 * whatever values earlier migrations (of any branch) put there: read back, extended, re-created.
 */
function extendListCheck(table: string, constraint: string, expression: string, add: string[]) {
  return `
    DO $$
    DECLARE
      v_values text[];
    BEGIN
      SELECT coalesce(array_agg(DISTINCT m[1] ORDER BY m[1]), ARRAY[]::text[]) INTO v_values
        FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
       WHERE c.conname = '${constraint}' AND c.conrelid = '${table}'::regclass;
      SELECT array_agg(DISTINCT v ORDER BY v) INTO v_values
        FROM unnest(v_values || ARRAY[${add.map((value) => `'${value}'`).join(', ')}]::text[]) v;
      EXECUTE 'ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${constraint}';
      EXECUTE format('ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${expression})',
                     (SELECT string_agg(quote_literal(v), ', ' ORDER BY v) FROM unnest(v_values) v));
    END $$`;
}

export class Payouts1765000000000 implements MigrationInterface {
  name = 'Payouts1765000000000';

  async up(q: QueryRunner): Promise<void> {
    // Ledger kinds of a payout: the hold (wallet → payouts_in_flight), its post (payouts_in_flight
    // → the gateway's clearing account) and its return (back to the wallet, from wherever the
    // money is). History shows `withdrawal` and `withdrawal_reversal`; the post touches no wallet.
    await q.query(
      extendListCheck(
        'ledger_transfers',
        'ledger_transfers_kind_check',
        'kind = ANY (ARRAY[%s]::text[])',
        ['withdrawal', 'withdrawal_settlement', 'withdrawal_reversal'],
      ),
    );
    await q.query(
      extendListCheck(
        'api_keys',
        'api_keys_permissions_check',
        'cardinality(permissions) >= 1 AND permissions <@ ARRAY[%s]::text[]',
        ['payouts'],
      ),
    );
    await q.query(
      extendListCheck(
        'inbound_webhook_events',
        'inbound_webhook_events_kind_check',
        'kind = ANY (ARRAY[%s]::text[])',
        ['payout'],
      ),
    );

    await q.query(`
      CREATE TABLE payout_recipients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        gateway text NOT NULL CHECK (gateway IN ('paystack', 'flutterwave')),
        type text NOT NULL CHECK (type IN ('bank_account', 'mobile_money')),
        account_name text NOT NULL CHECK (length(account_name) BETWEEN 1 AND 200),
        -- The full number, sealed with DATA_ENCRYPTION_KEY (context: the recipient id).
        account_number text NOT NULL CHECK (account_number LIKE 'enc:v1:%'),
        account_number_last4 text NOT NULL CHECK (account_number_last4 ~ '^[0-9]{1,4}$'),
        bank_code text NOT NULL CHECK (length(bank_code) BETWEEN 1 AND 20),
        bank_name text CHECK (length(bank_name) <= 200),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        nickname text CHECK (length(nickname) <= 100),
        gateway_recipient_code text CHECK (length(gateway_recipient_code) <= 100),
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX payout_recipients_user_idx ON payout_recipients (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE payouts (
        id uuid PRIMARY KEY,
        reference text NOT NULL UNIQUE CHECK (reference ~ '^WDR-[0-9]{14}-[A-Z0-9]{8}$'),
        user_id uuid NOT NULL REFERENCES users(id),
        recipient_id uuid NOT NULL REFERENCES payout_recipients(id),
        gateway text NOT NULL CHECK (gateway IN ('paystack', 'flutterwave')),
        amount bigint NOT NULL CHECK (amount > 0 AND amount <= 9007199254740991),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status text NOT NULL CHECK (status IN ('pending_approval', 'pending', 'processing', 'requires_otp',
                                               'succeeded', 'failed', 'reversed', 'rejected')),
        narration text CHECK (length(narration) <= 255),
        livemode boolean NOT NULL DEFAULT true,
        hold_transfer_id uuid NOT NULL UNIQUE REFERENCES ledger_transfers(id),
        settlement_transfer_id uuid UNIQUE REFERENCES ledger_transfers(id),
        return_transfer_id uuid UNIQUE REFERENCES ledger_transfers(id),
        gateway_transfer_id text CHECK (length(gateway_transfer_id) <= 100),
        failure_reason text CHECK (length(failure_reason) <= 1000),
        send_attempts integer NOT NULL DEFAULT 0 CHECK (send_attempts >= 0),
        transfer_sent_at timestamptz,
        last_verified_at timestamptz,
        next_verify_at timestamptz,
        last_error text CHECK (length(last_error) <= 1000),
        enqueued_at timestamptz,
        approved_by uuid REFERENCES users(id),
        approved_at timestamptz,
        rejected_by uuid REFERENCES users(id),
        rejected_at timestamptz,
        rejection_note text CHECK (length(rejection_note) <= 1000),
        finalized_by uuid REFERENCES users(id),
        finalized_at timestamptz,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        -- Where the held money is follows from the state: posted on success, returned on failure,
        -- rejection or reversal, and neither while the payout is open.
        CONSTRAINT payouts_money_follows_status CHECK (CASE status
          WHEN 'succeeded' THEN settlement_transfer_id IS NOT NULL AND return_transfer_id IS NULL
          WHEN 'failed' THEN settlement_transfer_id IS NULL AND return_transfer_id IS NOT NULL
          WHEN 'rejected' THEN settlement_transfer_id IS NULL AND return_transfer_id IS NOT NULL
          WHEN 'reversed' THEN return_transfer_id IS NOT NULL
          ELSE settlement_transfer_id IS NULL AND return_transfer_id IS NULL END),
        CONSTRAINT payouts_rejection_recorded CHECK ((status = 'rejected') = (rejected_at IS NOT NULL AND rejected_by IS NOT NULL)),
        CONSTRAINT payouts_approval_recorded CHECK ((approved_at IS NULL) = (approved_by IS NULL)),
        CONSTRAINT payouts_finalize_recorded CHECK ((finalized_at IS NULL) = (finalized_by IS NULL))
      )`);
    await q.query(
      `CREATE INDEX payouts_user_created_idx ON payouts (user_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX payouts_status_created_idx ON payouts (status, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX payouts_open_idx ON payouts (next_verify_at NULLS FIRST, created_at) WHERE status IN ('pending', 'processing')`,
    );
    await q.query(`CREATE INDEX payouts_recipient_idx ON payouts (recipient_id)`);

    // A payout's state only moves forward, and its money moves once: nothing leaves a final state
    // but a success that is later reversed, and the post and return transfers, once set, stay.
    await q.query(`
      CREATE FUNCTION payouts_guard_transition() RETURNS trigger LANGUAGE plpgsql AS $$
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
      END $$`);
    await q.query(`
      CREATE TRIGGER payouts_guard BEFORE UPDATE ON payouts
        FOR EACH ROW EXECUTE FUNCTION payouts_guard_transition()`);
    await q.query(`
      CREATE TRIGGER payouts_no_delete BEFORE DELETE ON payouts
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payouts`);
    await q.query(`DROP FUNCTION payouts_guard_transition()`);
    await q.query(`DROP TABLE payout_recipients`);
  }
}
