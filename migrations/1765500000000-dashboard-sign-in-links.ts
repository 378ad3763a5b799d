import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time sign-in links for the dashboard (SPEC §18), printed by `npm run cli -- dashboard:link`.
 * Only the SHA-256 of the token is kept. A link works once and only within its 10 minutes: the
 * sign-in claims it with one conditional UPDATE (`used_at IS NULL AND expires_at > now()`), so of
 * two concurrent uses exactly one wins.
 */
export class DashboardSignInLinks1765500000000 implements MigrationInterface {
  name = 'DashboardSignInLinks1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dashboard_sign_in_links (
        token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at > created_at AND expires_at <= created_at + interval '10 minutes')
      )`);
    await q.query(
      `CREATE INDEX dashboard_sign_in_links_expires_idx ON dashboard_sign_in_links (expires_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dashboard_sign_in_links`);
  }
}
