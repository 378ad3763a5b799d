import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import {
  Strategy as GoogleStrategy,
  type StrategyOptions,
  type VerifyCallback,
} from 'passport-google-oauth20';
import type OAuth2Strategy from 'passport-oauth2';
import { AppError, unauthenticated } from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import type { GoogleIdentity } from '../../users/users.service.js';
import { OAuthStateStore } from './oauth-state.store.js';

/** Sends Google's access token in the Authorization header, not the userinfo URL's query string. */
class HeaderTokenGoogleStrategy extends GoogleStrategy {
  constructor(options: StrategyOptions) {
    super(
      options,
      (_accessToken: string, _refreshToken: string, profile: unknown, done: VerifyCallback) =>
        // Hands the profile back; the account is found or created by the caller, outside passport.
        done(null, profile as Express.User),
    );
    this._oauth2.useAuthorizationHeaderforGET(true);
  }
}

type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; message?: string }
  | { kind: 'error'; error: unknown };

/** What passport calls on a strategy while it authenticates one request. */
interface StrategyActions {
  redirect(url: string, status?: number): void;
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  pass(): void;
  authenticate(req: unknown, options?: unknown): void;
}

/**
 * Runs one passport strategy step for one request without passport's middleware or sessions:
 * the same delegation passport.authenticate performs, with the outcome as a promise.
 */
function runStrategy(strategy: GoogleStrategy, req: unknown): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const step = Object.create(strategy) as StrategyActions;
    step.redirect = (url) => resolve({ kind: 'redirect', url });
    step.success = (user) => resolve({ kind: 'success', user });
    step.fail = (challenge) => {
      const message =
        typeof challenge === 'object' &&
        challenge !== null &&
        'message' in challenge &&
        typeof challenge.message === 'string'
          ? challenge.message
          : undefined;
      resolve({ kind: 'fail', message });
    };
    step.error = (error) => resolve({ kind: 'error', error });
    step.pass = () => resolve({ kind: 'fail' });
    try {
      step.authenticate(req, {});
    } catch (error) {
      resolve({ kind: 'error', error });
    }
  });
}

const googleUnavailable = (): AppError =>
  new AppError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'GOOGLE_UNAVAILABLE',
    'Google could not be reached; try again',
  );

/** Google refused the code (invalid_grant and friends): the person must start over. */
function isRejectedByGoogle(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { name?: unknown }).name === 'TokenError') return true;
  const status = (error as { oauthError?: { statusCode?: unknown } }).oauthError?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function identityFrom(profile: unknown): GoogleIdentity {
  const json = (profile as { _json?: unknown } | null)?._json;
  if (typeof json !== 'object' || json === null)
    throw unauthenticated('Google returned no profile');
  const { sub, email, email_verified: verified, name } = json as Record<string, unknown>;
  if (
    typeof sub !== 'string' ||
    sub.length === 0 ||
    typeof email !== 'string' ||
    !email.includes('@')
  ) {
    throw unauthenticated('Google did not share an account id and email; allow the email scope');
  }
  // Google has sent this as a boolean and, in older payloads, as the string "true".
  if (verified !== true && verified !== 'true') {
    throw unauthenticated('This Google account’s email address is not verified');
  }
  return { sub, email, name: typeof name === 'string' && name.length > 0 ? name : null };
}

/**
 * Google sign-in through passport-google-oauth20 (authorization code flow with PKCE), with its
 * endpoints taken from GOOGLE_AUTH_URL / GOOGLE_TOKEN_URL / GOOGLE_USERINFO_URL.
 */
@Injectable()
export class GoogleOAuthService {
  private readonly logger = new Logger(GoogleOAuthService.name);
  private readonly strategy: GoogleStrategy | undefined;

  constructor(config: AppConfig, stateStore: OAuthStateStore) {
    const { clientId, clientSecret } = config.google;
    if (clientId === undefined || clientSecret === undefined) return;
    this.strategy = new HeaderTokenGoogleStrategy({
      clientID: clientId,
      clientSecret,
      callbackURL: config.google.callbackUrl,
      authorizationURL: config.google.authUrl,
      tokenURL: config.google.tokenUrl,
      userProfileURL: config.google.userInfoUrl,
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
      // passport-oauth2 calls store/verify by arity; its typings omit the PKCE (5-argument) form.
      store: stateStore as unknown as OAuth2Strategy.StateStore,
    });
  }

  /** Where to send the person: Google's consent screen with a fresh state and PKCE challenge. */
  async authorizationUrl(): Promise<string> {
    const outcome = await runStrategy(this.requireStrategy(), { query: {}, body: {}, headers: {} });
    if (outcome.kind === 'redirect') return outcome.url;
    if (outcome.kind === 'error') throw outcome.error;
    throw new Error(`unexpected outcome "${outcome.kind}" building the Google authorization URL`);
  }

  /** Checks the state, exchanges the code, reads the profile and returns a verified identity. */
  async identify(query: Request['query']): Promise<GoogleIdentity> {
    const strategy = this.requireStrategy();
    if (typeof query.error !== 'string' && typeof query.code !== 'string') {
      throw unauthenticated('The callback carries no authorization code');
    }
    const outcome = await runStrategy(strategy, { query, body: {}, headers: {} });
    switch (outcome.kind) {
      case 'success':
        return identityFrom(outcome.user);
      case 'fail':
        throw unauthenticated(outcome.message ?? 'Google sign-in was not completed');
      case 'redirect':
        throw unauthenticated('The callback carries no authorization code');
      case 'error':
        if (isRejectedByGoogle(outcome.error))
          throw unauthenticated('Google refused the authorization code');
        if (outcome.error instanceof AppError) throw outcome.error;
        this.logger.warn(
          `Google sign-in failed: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}`,
        );
        throw googleUnavailable();
    }
  }

  private requireStrategy(): GoogleStrategy {
    if (!this.strategy) {
      throw new AppError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'GOOGLE_NOT_CONFIGURED',
        'Google sign-in is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)',
      );
    }
    return this.strategy;
  }
}
