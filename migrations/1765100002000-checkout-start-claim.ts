import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A checkout session's payment attempts are serialized by a short claim on the session row
 * (`payment_starting_until`), taken and released in autocommit, instead of a row lock held
 * across the gateway's initialize: a held lock pinned one pool connection per waiting payer while
 * the winner needed a second one, so enough simultaneous checkouts could exhaust the pool.
 */
export class CheckoutStartClaim1765100002000 implements MigrationInterface {
  name = 'CheckoutStartClaim1765100002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkout_sessions ADD COLUMN payment_starting_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checkout_sessions DROP COLUMN payment_starting_until`);
  }
}
