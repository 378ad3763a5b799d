import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { queryRows } from '../../../database/sql.js';
import { randomToken, sha256 } from '../crypto.js';

/** How long a person has between being sent to Google and coming back. */
export const OAUTH_STATE_TTL_SECONDS = 600;

type StoreCallback = (err: Error | null, state?: string) => void;
type VerifyCallback = (err: Error | null, ok?: string | false, info?: { message: string }) => void;

/**
 * passport-oauth2 state store without server sessions: each authorization request gets a random
 * `state` whose SHA-256 is kept in Postgres with its PKCE code verifier for 10 minutes. The
 * callback consumes it with a single `DELETE … RETURNING`, so a state works once, and only
 * before it expires; a state we never issued, or one already used, is refused.
 */
@Injectable()
export class OAuthStateStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Called by passport with PKCE on: (req, verifier, appState, meta, cb). */
  store(
    _req: IncomingMessage,
    verifier: string,
    _state: unknown,
    _meta: unknown,
    cb: StoreCallback,
  ): void {
    this.save(verifier).then(
      (state) => cb(null, state),
      (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Called by passport on the callback: (req, providedState, meta, cb); `ok` is the verifier. */
  verify(_req: IncomingMessage, providedState: unknown, _meta: unknown, cb: VerifyCallback): void {
    this.consume(providedState).then(
      (verifier) =>
        verifier === null
          ? cb(null, false, { message: 'OAuth state is missing, unknown, expired or already used' })
          : cb(null, verifier),
      (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
    );
  }

  async save(verifier: string): Promise<string> {
    const state = randomToken();
    // Housekeeping rides along with new sign-ins instead of needing a scheduled job.
    await queryRows(
      this.dataSource.manager,
      `DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour'`,
    );
    await queryRows(
      this.dataSource.manager,
      `INSERT INTO oauth_states (state_hash, code_verifier, expires_at)
       VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [sha256(state), verifier, OAUTH_STATE_TTL_SECONDS],
    );
    return state;
  }

  /** The PKCE verifier of a live, unused state, or null. */
  async consume(providedState: unknown): Promise<string | null> {
    if (
      typeof providedState !== 'string' ||
      providedState.length === 0 ||
      providedState.length > 200
    )
      return null;
    const rows = await queryRows<{ codeVerifier: string; live: boolean }>(
      this.dataSource.manager,
      `DELETE FROM oauth_states WHERE state_hash = $1
       RETURNING code_verifier AS "codeVerifier", expires_at > now() AS live`,
      [sha256(providedState)],
    );
    return rows.length === 1 && rows[0].live ? rows[0].codeVerifier : null;
  }
}
