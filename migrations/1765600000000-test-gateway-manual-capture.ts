import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Manual capture on the built-in test gateway (SPEC §14, §15), kept on its own record as Stripe
 * keeps a PaymentIntent with `capture_method=manual`:
 *
 * - `capture_method` is fixed when the payment is started. A manual charge the payer Pays is
 *   `authorized` (held, nothing taken); a capture moves it once to `succeeded` for
 *   `amount_captured` (at most the authorized amount, the rest released); a void moves it once to
 *   `canceled`. Only manual charges can be `authorized` or `canceled`.
 * - `capture_key` / `void_key` are the idempotency keys the capture or void came with: the same key
 *   again replays the answer, any other finds the charge no longer authorized (as Stripe does).
 *   A captured amount exists exactly when a capture key does, and only on a manual success.
 * - Every change of state clears `notified_at`, so its own signed event (`evt_test_<ref>_<status>`)
 *   goes through the inbound pipeline like the payer's decision's does.
 */
export class TestGatewayManualCapture1765600000000 implements MigrationInterface {
  name = 'TestGatewayManualCapture1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE test_gateway_charges
        ADD COLUMN capture_method text NOT NULL DEFAULT 'automatic'
          CHECK (capture_method IN ('automatic', 'manual')),
        ADD COLUMN amount_captured bigint,
        ADD COLUMN capture_key text CHECK (length(capture_key) BETWEEN 1 AND 255),
        ADD COLUMN void_key text CHECK (length(void_key) BETWEEN 1 AND 255),
        ADD COLUMN captured_at timestamptz,
        ADD COLUMN canceled_at timestamptz`);
    await q.query(
      `ALTER TABLE test_gateway_charges DROP CONSTRAINT test_gateway_charges_status_check`,
    );
    await q.query(`
      ALTER TABLE test_gateway_charges
        ADD CONSTRAINT test_gateway_charges_status_check
          CHECK (status IN ('pending', 'authorized', 'succeeded', 'failed', 'canceled')),
        ADD CONSTRAINT test_gateway_charges_manual_states_check
          CHECK (status NOT IN ('authorized', 'canceled') OR capture_method = 'manual'),
        ADD CONSTRAINT test_gateway_charges_captured_check
          CHECK ((amount_captured IS NULL) = (capture_key IS NULL)
             AND (amount_captured IS NULL) = (captured_at IS NULL)
             AND (amount_captured IS NULL OR (amount_captured > 0 AND amount_captured <= amount))
             AND (capture_method = 'manual' AND status = 'succeeded') = (amount_captured IS NOT NULL)),
        ADD CONSTRAINT test_gateway_charges_voided_check
          CHECK ((status = 'canceled') = (void_key IS NOT NULL)
             AND (void_key IS NULL) = (canceled_at IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE test_gateway_charges
        DROP CONSTRAINT test_gateway_charges_voided_check,
        DROP CONSTRAINT test_gateway_charges_captured_check,
        DROP CONSTRAINT test_gateway_charges_manual_states_check,
        DROP CONSTRAINT test_gateway_charges_status_check`);
    await q.query(`
      ALTER TABLE test_gateway_charges
        DROP COLUMN canceled_at, DROP COLUMN captured_at, DROP COLUMN void_key,
        DROP COLUMN capture_key, DROP COLUMN amount_captured, DROP COLUMN capture_method,
        ADD CONSTRAINT test_gateway_charges_status_check
          CHECK (status IN ('pending', 'succeeded', 'failed'))`);
  }
}
