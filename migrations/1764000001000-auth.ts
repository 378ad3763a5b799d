import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Auth1764000001000 implements MigrationInterface {
  name = 'Auth1764000001000';

  async up(q: QueryRunner): Promise<void> {
    // One family per sign-in; every refresh token of that session and every access token minted
    // from it carry the family id, so revoking the family ends the whole session.
    await q.query(`
      CREATE TABLE refresh_token_families (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse')),
        CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    await q.query(
      `CREATE INDEX refresh_token_families_user_idx ON refresh_token_families (user_id)`,
    );

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        family_id uuid NOT NULL REFERENCES refresh_token_families(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL CHECK (octet_length(token_hash) = 32),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_hash_uq ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        key_hash bytea NOT NULL CHECK (octet_length(key_hash) = 32),
        key_prefix text NOT NULL,
        permissions text[] NOT NULL CHECK (
          cardinality(permissions) >= 1
          AND permissions <@ ARRAY['deposit', 'transfer', 'read', 'payments', 'refunds', 'webhooks']::text[]
        ),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz,
        rolled_over_from_id uuid REFERENCES api_keys(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_hash_uq ON api_keys (key_hash)`);
    await q.query(
      `CREATE INDEX api_keys_user_created_idx ON api_keys (user_id, created_at DESC, id DESC)`,
    );

    // Pending OAuth authorization requests: the `state` (hashed) and its PKCE verifier, used once.
    await q.query(`
      CREATE TABLE oauth_states (
        state_hash bytea PRIMARY KEY CHECK (octet_length(state_hash) = 32),
        code_verifier text NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX oauth_states_expires_idx ON oauth_states (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oauth_states`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE refresh_token_families`);
  }
}
