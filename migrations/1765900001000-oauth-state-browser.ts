import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dashboard's Google sign-in binds its OAuth state to the browser that started it: the
 * SHA-256 of a random value the start sets in a short-lived cookie is kept with the state, and
 * the callback is refused unless that browser's cookie matches. Without it, a callback link
 * (`…/auth/session/google/callback?code=…&state=…`) an attacker made by consenting with their own
 * Google account signed into that account whichever browser opened it (login CSRF): the victim
 * then enters bank details or webhook URLs into the attacker's account. States of the API's own
 * flow (JSON, no cookie) keep `browser_hash` null.
 */
export class OAuthStateBrowser1765900001000 implements MigrationInterface {
  name = 'OAuthStateBrowser1765900001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE oauth_states ADD COLUMN browser_hash bytea CHECK (octet_length(browser_hash) = 32)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE oauth_states DROP COLUMN browser_hash`);
  }
}
