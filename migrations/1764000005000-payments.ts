import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1764000005000 implements MigrationInterface {
  name = 'Payments1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        receipt text NOT NULL CHECK (length(receipt) BETWEEN 1 AND 255),
        status text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'paid')),
        paid_by_payment_id uuid,
        paid_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'paid') = (paid_at IS NOT NULL AND paid_by_payment_id IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL UNIQUE CHECK (reference ~ '^PAY-[0-9]{14}-[A-Z0-9]{8}$'),
        user_id uuid NOT NULL REFERENCES users(id),
        purpose text NOT NULL CHECK (purpose IN ('payment', 'wallet_deposit')),
        gateway text NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'succeeded', 'failed', 'abandoned', 'needs_review')),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        amount_received bigint CHECK (amount_received IS NULL OR amount_received > 0),
        amount_refunded bigint NOT NULL DEFAULT 0,
        refund_status text NOT NULL DEFAULT 'none' CHECK (refund_status IN ('none', 'partial', 'full')),
        email text NOT NULL,
        callback_url text,
        metadata jsonb,
        order_id uuid REFERENCES orders(id),
        gateway_payment_id text,
        gateway_charge_id text,
        authorization_url text,
        access_code text,
        failure_reason text,
        review_reason text,
        reported_amount bigint,
        reported_currency text,
        reported_reference text,
        resolution text CHECK (resolution IN ('accepted', 'rejected')),
        resolved_by uuid REFERENCES users(id),
        resolved_at timestamptz,
        resolution_note text,
        expires_at timestamptz NOT NULL,
        settled_at timestamptz,
        last_verified_at timestamptz,
        next_verify_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (amount_refunded >= 0 AND amount_refunded <= coalesce(amount_received, amount)),
        CHECK (status <> 'succeeded' OR (amount_received IS NOT NULL AND settled_at IS NOT NULL)),
        CHECK ((resolution IS NULL) = (resolved_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX payments_user_created_idx ON payments (user_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX payments_status_created_idx ON payments (status, created_at DESC, id DESC)`,
    );
    await q.query(`
      CREATE INDEX payments_reconcile_idx ON payments (next_verify_at NULLS FIRST, created_at)
      WHERE status IN ('pending', 'abandoned')`);
    await q.query(`
      CREATE UNIQUE INDEX payments_gateway_payment_id_key ON payments (gateway, gateway_payment_id)
      WHERE gateway_payment_id IS NOT NULL`);
    await q.query(
      `ALTER TABLE orders ADD FOREIGN KEY (paid_by_payment_id) REFERENCES payments(id)`,
    );

    // Every state change and every decision (system or admin), append-only: who, when, from, to, why.
    await q.query(`
      CREATE TABLE payment_audit_entries (
        id bigserial PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payments(id),
        action text NOT NULL CHECK (action IN ('transition', 'contradiction', 'accept', 'reject')),
        source text NOT NULL,
        actor_user_id uuid REFERENCES users(id),
        from_status text NOT NULL,
        to_status text NOT NULL,
        note text,
        details jsonb,
        inbound_event_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX payment_audit_entries_payment_idx ON payment_audit_entries (payment_id, id)`,
    );
    await q.query(`
      CREATE FUNCTION payment_audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'payment_audit_entries is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER payment_audit_entries_append_only BEFORE UPDATE OR DELETE ON payment_audit_entries
      FOR EACH ROW EXECUTE FUNCTION payment_audit_entries_append_only()`);

    await q.query(`
      CREATE TABLE inbound_webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        gateway text NOT NULL,
        event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 512),
        type text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('payment', 'refund', 'ignored')),
        reference text,
        gateway_payment_id text,
        payload jsonb NOT NULL,
        normalized jsonb NOT NULL,
        headers jsonb NOT NULL,
        status text NOT NULL DEFAULT 'received'
          CHECK (status IN ('received', 'processing', 'processed', 'unmatched', 'failed', 'ignored')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error text,
        payment_id uuid REFERENCES payments(id),
        generation integer NOT NULL DEFAULT 0 CHECK (generation >= 0),
        received_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        processed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (gateway, event_id)
      )`);
    await q.query(`
      CREATE INDEX inbound_webhook_events_open_idx ON inbound_webhook_events (received_at)
      WHERE status IN ('received', 'processing')`);
    await q.query(
      `CREATE INDEX inbound_webhook_events_status_idx ON inbound_webhook_events (status, received_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX inbound_webhook_events_reference_idx ON inbound_webhook_events (gateway, reference)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbound_webhook_events`);
    await q.query(`DROP TABLE payment_audit_entries`);
    await q.query(`DROP FUNCTION payment_audit_entries_append_only()`);
    await q.query(`ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_paid_by_payment_id_fkey`);
    await q.query(`DROP TABLE payments`);
    await q.query(`DROP TABLE orders`);
  }
}
