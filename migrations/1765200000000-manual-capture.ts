import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Authorize now, capture later (SPEC §15). A payment remembers how it is captured; a manual one
 * the gateway has authorized is `authorized` for `amount_authorized`, and `canceled` once the
 * authorization is voided or expires. `capture_action` is the one capture or void under way: set
 * under the payment's row lock before the gateway is called, so however many requests race only
 * the first reaches the gateway (the rest find it set: 409 PAYMENT_NOT_CAPTURABLE), and
 * `amount_to_capture` is what that capture asked for (what settlement then expects the gateway to
 * report). The database keeps the rules: only manual payments are ever authorized or canceled, and
 * a capture never asks for more than was authorized.
 */
export class ManualCapture1765200000000 implements MigrationInterface {
  name = 'ManualCapture1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payments
        ADD COLUMN capture_mode text NOT NULL DEFAULT 'automatic'
          CONSTRAINT payments_capture_mode_check CHECK (capture_mode IN ('automatic', 'manual')),
        ADD COLUMN amount_authorized bigint
          CONSTRAINT payments_amount_authorized_check CHECK (amount_authorized > 0),
        ADD COLUMN amount_to_capture bigint,
        ADD COLUMN capture_action text
          CONSTRAINT payments_capture_action_check CHECK (capture_action IN ('capture', 'cancel')),
        ADD COLUMN capture_requested_at timestamptz,
        ADD COLUMN gateway_authorization_id text,
        ADD CONSTRAINT payments_amount_to_capture_check
          CHECK (amount_to_capture IS NULL
                 OR (amount_to_capture > 0 AND amount_to_capture <= amount_authorized)),
        ADD CONSTRAINT payments_capture_requested_check
          CHECK ((capture_action IS NULL) = (capture_requested_at IS NULL)),
        ADD CONSTRAINT payments_capture_action_manual_check
          CHECK (capture_action IS NULL OR capture_mode = 'manual'),
        ADD CONSTRAINT payments_authorized_check
          CHECK (status NOT IN ('authorized', 'canceled') OR capture_mode = 'manual'),
        ADD CONSTRAINT payments_authorized_amount_check
          CHECK (status <> 'authorized' OR amount_authorized IS NOT NULL)`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check`);
    await q.query(`
      ALTER TABLE payments ADD CONSTRAINT payments_status_check
        CHECK (status IN ('pending', 'succeeded', 'failed', 'abandoned', 'needs_review',
                          'authorized', 'canceled'))`);
    // Reconciliation asks the gateway about authorizations (expiry) and unfinished captures.
    await q.query(`
      CREATE INDEX payments_authorized_idx ON payments (next_verify_at NULLS FIRST, created_at)
        WHERE status = 'authorized'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payments_authorized_idx`);
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check`);
    await q.query(`
      ALTER TABLE payments ADD CONSTRAINT payments_status_check
        CHECK (status IN ('pending', 'succeeded', 'failed', 'abandoned', 'needs_review'))`);
    await q.query(`
      ALTER TABLE payments
        DROP COLUMN gateway_authorization_id,
        DROP COLUMN capture_requested_at,
        DROP COLUMN capture_action,
        DROP COLUMN amount_to_capture,
        DROP COLUMN amount_authorized,
        DROP COLUMN capture_mode`);
  }
}
