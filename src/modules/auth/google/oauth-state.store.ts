import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { cookieValue, isTokenCookie } from '../../../common/request/cookies.js';
import { queryRows } from '../../../database/sql.js';
import { randomToken, sha256 } from '../crypto.js';

/** How long a person has between being sent to Google and coming back. */
export const OAUTH_STATE_TTL_SECONDS = 600;

/**
 * The cookie binding a dashboard sign-in's state to the browser that started it (see
 * migration 1765900001000), sent back only to the dashboard's Google routes.
 */
export const OAUTH_BROWSER_COOKIE = 'oauth_browser';
export const OAUTH_BROWSER_COOKIE_PATH = '/api/v1/auth/session/google';

/** A request whose sign-in start chose a browser binding (SessionGoogleConsentGuard). */
export type BrowserBoundRequest = IncomingMessage & { oauthBrowserBinding?: string };

/** The binding cookie's value on `req`, if it has a well-formed one. */
export function oauthBrowserCookie(req: IncomingMessage): string | undefined {
  const value = cookieValue(req.headers.cookie, OAUTH_BROWSER_COOKIE);
  return isTokenCookie(value) ? value : undefined;
}

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
    req: BrowserBoundRequest,
    verifier: string,
    _state: unknown,
    _meta: unknown,
    cb: StoreCallback,
  ): void {
    this.save(verifier, req.oauthBrowserBinding).then(
      (state) => cb(null, state),
      (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Called by passport on the callback: (req, providedState, meta, cb); `ok` is the verifier. */
  verify(req: IncomingMessage, providedState: unknown, _meta: unknown, cb: VerifyCallback): void {
    this.consume(providedState, oauthBrowserCookie(req)).then(
      (verifier) =>
        verifier === null
          ? cb(null, false, { message: 'OAuth state is missing, unknown, expired or already used' })
          : cb(null, verifier),
      (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** A new state for `verifier`, bound to the browser holding `browserBinding` when given. */
  async save(verifier: string, browserBinding?: string): Promise<string> {
    const state = randomToken();
    // Housekeeping rides along with new sign-ins instead of needing a scheduled job.
    await queryRows(
      this.dataSource.manager,
      `DELETE FROM oauth_states WHERE expires_at < now() - interval '1 hour'`,
    );
    await queryRows(
      this.dataSource.manager,
      `INSERT INTO oauth_states (state_hash, code_verifier, expires_at, browser_hash)
       VALUES ($1, $2, now() + make_interval(secs => $3), $4)`,
      [
        sha256(state),
        verifier,
        OAUTH_STATE_TTL_SECONDS,
        browserBinding === undefined ? null : sha256(browserBinding),
      ],
    );
    return state;
  }

  /**
   * The PKCE verifier of a live, unused state, or null; a state bound to a browser only for the
   * browser holding its binding (`browserBinding`, from its cookie). A state is used up either way.
   */
  async consume(providedState: unknown, browserBinding?: string): Promise<string | null> {
    if (
      typeof providedState !== 'string' ||
      providedState.length === 0 ||
      providedState.length > 200
    )
      return null;
    const rows = await queryRows<{
      codeVerifier: string;
      live: boolean;
      browserHash: Buffer | null;
    }>(
      this.dataSource.manager,
      `DELETE FROM oauth_states WHERE state_hash = $1
       RETURNING code_verifier AS "codeVerifier", expires_at > now() AS live,
                 browser_hash AS "browserHash"`,
      [sha256(providedState)],
    );
    const row = rows.length === 1 && rows[0].live ? rows[0] : undefined;
    if (!row) return null;
    if (row.browserHash !== null) {
      if (browserBinding === undefined) return null;
      if (!timingSafeEqual(row.browserHash, sha256(browserBinding))) return null;
    }
    return row.codeVerifier;
  }
}
