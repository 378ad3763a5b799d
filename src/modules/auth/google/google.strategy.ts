import { HttpStatus, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-google-oauth20';
import type OAuth2Strategy from 'passport-oauth2';
import { AppError, unauthenticated } from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import type { GoogleIdentity } from '../../users/users.service.js';
import { OAuthStateStore } from './oauth-state.store.js';

export const GOOGLE_STRATEGY = 'google';

export const googleNotConfigured = (): AppError =>
  new AppError(
    HttpStatus.SERVICE_UNAVAILABLE,
    'GOOGLE_NOT_CONFIGURED',
    'Google sign-in is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET)',
  );

export function googleConfigured(config: AppConfig): boolean {
  return config.google.clientId !== undefined && config.google.clientSecret !== undefined;
}

/**
 * Google sign-in through passport-google-oauth20: authorization code flow with `state` and PKCE
 * (kept in Postgres by OAuthStateStore, no server sessions), endpoints from GOOGLE_AUTH_URL /
 * GOOGLE_TOKEN_URL / GOOGLE_USERINFO_URL. Built only when a client is configured (the strategy
 * refuses to exist without one); it registers itself with passport under GOOGLE_STRATEGY.
 */
@Injectable()
export class GoogleStrategy extends PassportStrategy(Strategy, GOOGLE_STRATEGY) {
  constructor(config: AppConfig, stateStore: OAuthStateStore) {
    super({
      clientID: config.google.clientId ?? '',
      clientSecret: config.google.clientSecret ?? '',
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
    // Google's access token goes in the Authorization header, not the userinfo URL's query string.
    this._oauth2.useAuthorizationHeaderforGET(true);
  }

  /** The profile Google returned, as the identity users are found or created by (SPEC §4). */
  validate(_accessToken: string, _refreshToken: string, profile: unknown): GoogleIdentity {
    return identityFrom(profile);
  }
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
