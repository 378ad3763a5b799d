import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Refunds1764000007000 implements MigrationInterface {
  name = 'Refunds1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid NOT NULL REFERENCES payments(id),
        payment_reference text NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'succeeded', 'failed')),
        reason text CHECK (reason IS NULL OR length(reason) <= 500),
        gateway text NOT NULL,
        gateway_refund_id text,
        gateway_refund_reference text,
        failure_reason text,
        initiated_by text NOT NULL CHECK (initiated_by IN ('user', 'admin', 'gateway')),
        initiated_by_user_id uuid REFERENCES users(id),
        wallet_debited boolean NOT NULL DEFAULT false,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_attempt_at timestamptz,
        gateway_call_started_at timestamptz,
        last_error text,
        needs_attention text,
        next_check_at timestamptz,
        enqueued_at timestamptz,
        resolved_by uuid REFERENCES users(id),
        resolved_at timestamptz,
        resolution_note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK ((status IN ('succeeded', 'failed')) = (completed_at IS NOT NULL)),
        CHECK (status <> 'failed' OR failure_reason IS NOT NULL),
        CHECK (initiated_by <> 'gateway' OR NOT wallet_debited)
      )`);
    await q.query(
      `CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX refunds_user_created_idx ON refunds (user_id, created_at DESC, id DESC)`,
    );
    // The reconciliation job's work list: unfinished refunds only, so it stays small.
    await q.query(
      `CREATE INDEX refunds_open_idx ON refunds (next_check_at NULLS FIRST, created_at) WHERE status IN ('pending', 'processing')`,
    );
    // A gateway's refund can be ours only once: the last word against counting one refund twice.
    await q.query(`
      CREATE UNIQUE INDEX refunds_gateway_refund_id_key ON refunds (gateway, gateway_refund_id)
      WHERE gateway_refund_id IS NOT NULL`);
    await q.query(`
      CREATE UNIQUE INDEX refunds_gateway_refund_reference_key ON refunds (gateway, gateway_refund_reference)
      WHERE gateway_refund_reference IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refunds`);
  }
}
