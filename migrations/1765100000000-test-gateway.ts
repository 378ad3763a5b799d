import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Test mode (SPEC §14).
 *
 * - `payments.livemode` is derived from the gateway by the database itself (a generated column):
 *   no code path can record a test-gateway payment as live money, or the reverse.
 * - `test_gateway_charges` is the built-in test gateway's own store, what a real gateway keeps on
 *   its side: one row per payment it was asked to start, decided once (pending → succeeded |
 *   failed, never back). Its verify answers from here, so a signed event alone settles nothing.
 *   `notified_at` is set once the decision's signed event was handed to inbound intake; a sweep
 *   sends the ones a crash left unsent (intake dedupes by event id).
 */
export class TestGateway1765100000000 implements MigrationInterface {
  name = 'TestGateway1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE payments ADD COLUMN livemode boolean GENERATED ALWAYS AS (gateway <> 'test') STORED`,
    );
    await q.query(`
      CREATE TABLE test_gateway_charges (
        reference text PRIMARY KEY,
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        return_url text NOT NULL,
        settle_at timestamptz,
        auto_outcome text CHECK (auto_outcome IN ('succeeded', 'failed')),
        decided_at timestamptz,
        notified_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((settle_at IS NULL) = (auto_outcome IS NULL)),
        CHECK ((status = 'pending') = (decided_at IS NULL)),
        CHECK (notified_at IS NULL OR decided_at IS NOT NULL)
      )`);
    await q.query(
      `CREATE INDEX test_gateway_charges_settle_idx ON test_gateway_charges (settle_at) WHERE status = 'pending' AND settle_at IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX test_gateway_charges_unnotified_idx ON test_gateway_charges (decided_at) WHERE status <> 'pending' AND notified_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE test_gateway_charges`);
    await q.query(`ALTER TABLE payments DROP COLUMN livemode`);
  }
}
