import { ExecutionContext, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { AppError, unauthenticated } from '../../../common/errors/app-error.js';
import { AppConfig } from '../../../config/app-config.js';
import type { GoogleIdentity } from '../../users/users.service.js';
import { GOOGLE_STRATEGY, googleConfigured, googleNotConfigured } from './google.strategy.js';

/** What the Google guards leave on the request for the route. */
export type GoogleRequest = Request & {
  /** Set by GoogleConsentGuard: Google's consent screen URL with a fresh state and PKCE challenge. */
  googleConsentUrl?: string;
  /** Set by GoogleCallbackGuard (passport's `user` property): the verified identity. */
  user?: GoogleIdentity;
};

/**
 * Starts sign-in: passport's Google strategy answers the first step by redirecting to the consent
 * screen. That redirect is caught here (passport is handed a response that only records it) and
 * its URL left on the request, so `GET /auth/google` can redirect with it and `GET
 * /auth/google/url` can return it as JSON to a single-page app.
 */
@Injectable()
export class GoogleConsentGuard extends AuthGuard(GOOGLE_STRATEGY) {
  private readonly catchers = new WeakMap<object, RedirectCatcher>();

  constructor(private readonly config: AppConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!googleConfigured(this.config)) throw googleNotConfigured();
    const request = context.switchToHttp().getRequest<GoogleRequest>();
    const redirect = new RedirectCatcher();
    this.catchers.set(request, redirect);
    // On a redirect passport ends the response and never settles its own promise: race them.
    const url = await Promise.race([
      runPassport(super.canActivate(context)).then(() => undefined),
      redirect.location,
    ]);
    if (url === undefined) throw new Error('Google sign-in did not redirect to the consent screen');
    request.googleConsentUrl = url;
    return true;
  }

  /** @nestjs/passport's hook for the response passport writes to (absent from its typings). */
  getResponse(context: ExecutionContext): RedirectCatcher | undefined {
    return this.catchers.get(context.switchToHttp().getRequest<object>());
  }
}

/** @nestjs/passport's canActivate is async; its typings say any CanActivate result. */
function runPassport(result: boolean | Promise<boolean> | Observable<boolean>): Promise<boolean> {
  if (isObservable(result)) return lastValueFrom(result);
  return Promise.resolve(result);
}

/** The part of a response passport's redirect uses: records Location, resolves on end(). */
class RedirectCatcher {
  statusCode = 200;
  private url: string | undefined;
  private resolve!: (url: string | undefined) => void;
  readonly location = new Promise<string | undefined>((resolve) => {
    this.resolve = resolve;
  });

  setHeader(name: string, value: string): void {
    if (name.toLowerCase() === 'location') this.url = value;
  }

  end(): void {
    this.resolve(this.url);
  }
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

/**
 * Finishes sign-in through passport's Google strategy: consumes the one-time `state` (with its
 * PKCE verifier), exchanges the code, reads the profile and checks it (GoogleStrategy.validate).
 * Passport's outcomes become the SPEC's errors: 401 for anything the person or a forger can cause,
 * 503 GOOGLE_UNAVAILABLE when Google could not be reached.
 */
@Injectable()
export class GoogleCallbackGuard extends AuthGuard(GOOGLE_STRATEGY) {
  private readonly logger = new Logger(GoogleCallbackGuard.name);

  constructor(private readonly config: AppConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!googleConfigured(this.config)) throw googleNotConfigured();
    const { query } = context.switchToHttp().getRequest<GoogleRequest>();
    // Without a code (or Google's error) passport would start over with a redirect to Google.
    if (typeof query.error !== 'string' && typeof query.code !== 'string')
      throw unauthenticated('The callback carries no authorization code');
    return runPassport(super.canActivate(context));
  }

  override handleRequest<TUser = GoogleIdentity>(
    err: unknown,
    user: unknown,
    info: unknown,
  ): TUser {
    if (err) {
      if (err instanceof AppError) throw err;
      if (isRejectedByGoogle(err)) throw unauthenticated('Google refused the authorization code');
      this.logger.warn(
        `Google sign-in failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`,
      );
      throw googleUnavailable();
    }
    if (!user) throw unauthenticated(messageOf(info) ?? 'Google sign-in was not completed');
    return user as TUser;
  }
}

function messageOf(info: unknown): string | undefined {
  return typeof info === 'object' &&
    info !== null &&
    'message' in info &&
    typeof info.message === 'string'
    ? info.message
    : undefined;
}
