import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hosted checkout (SPEC §13).
 *
 * - `publishable_keys`: one key per user and mode (pk_test_ while TEST_MODE is on, pk_live_
 *   otherwise). Kept readable, not hashed: a publishable key is public by design (it sits in the
 *   merchant's page source), it can only create and read its owner's checkout sessions, and
 *   `GET /keys/publishable` answers the same key until it is rolled.
 * - `checkout_sessions`: what a payer is asked to pay. Its state is not stored: it is read from
 *   the payments made for it (payments.metadata.checkout_session_id, indexed), so it can never
 *   disagree with them. `allowed_origins` are the origins the hosted page may talk to
 *   (postMessage) for this session, fixed when it is created.
 */
export class Checkout1765100001000 implements MigrationInterface {
  name = 'Checkout1765100001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE publishable_keys (
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        livemode boolean NOT NULL,
        key text NOT NULL UNIQUE CHECK (key ~ '^pk_(test|live)_[A-Za-z0-9_-]{32,64}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, livemode),
        CHECK ((key LIKE 'pk_live_%') = livemode)
      )`);
    await q.query(`
      CREATE TABLE checkout_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        order_id uuid REFERENCES orders (id),
        amount bigint NOT NULL CHECK (amount > 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        email text,
        gateways text[],
        success_url text,
        cancel_url text,
        metadata jsonb,
        allowed_origins text[] NOT NULL,
        livemode boolean NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX checkout_sessions_user_idx ON checkout_sessions (user_id, created_at)`,
    );
    await q.query(
      `CREATE INDEX payments_checkout_session_idx ON payments ((metadata->>'checkout_session_id'), created_at) WHERE metadata ? 'checkout_session_id'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX payments_checkout_session_idx`);
    await q.query(`DROP TABLE checkout_sessions`);
    await q.query(`DROP TABLE publishable_keys`);
  }
}
