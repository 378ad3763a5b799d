import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '../../common/errors/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { randomToken } from '../auth/crypto.js';
import { GoogleCallbackGuard, GoogleConsentGuard } from '../auth/google/google-auth.guards.js';
import {
  type BrowserBoundRequest,
  OAUTH_BROWSER_COOKIE,
  OAUTH_BROWSER_COOKIE_PATH,
  OAUTH_STATE_TTL_SECONDS,
} from '../auth/google/oauth-state.store.js';

export const SESSION_GOOGLE_CALLBACK_PATH = '/api/v1/auth/session/google/callback';

/**
 * Where Google sends the dashboard's sign-ins back: this route on the origin of the configured
 * Google callback (APP_URL by default). Register it with Google next to GOOGLE_CALLBACK_URL.
 */
export function sessionGoogleCallbackUrl(config: AppConfig): string {
  return new URL(SESSION_GOOGLE_CALLBACK_PATH, config.google.callbackUrl).toString();
}

/**
 * The API's Google consent step, with the dashboard's callback as redirect_uri, and the state
 * bound to this browser: a random value in a short-lived cookie (SameSite=Lax, so it comes back
 * on Google's top-level redirect; scoped to the dashboard's Google routes) whose hash is kept with
 * the state. The callback opened in another browser is refused (login CSRF).
 */
@Injectable()
export class SessionGoogleConsentGuard extends GoogleConsentGuard {
  constructor(private readonly appConfig: AppConfig) {
    super(appConfig);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const binding = randomToken();
    http.getRequest<BrowserBoundRequest>().oauthBrowserBinding = binding;
    const allowed = await super.canActivate(context);
    http.getResponse<Response>().cookie(OAUTH_BROWSER_COOKIE, binding, {
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
      path: OAUTH_BROWSER_COOKIE_PATH,
      maxAge: OAUTH_STATE_TTL_SECONDS * 1000,
    });
    return allowed;
  }

  override getAuthenticateOptions(_context: ExecutionContext): { callbackURL: string } {
    return { callbackURL: sessionGoogleCallbackUrl(this.appConfig) };
  }
}

/** The API's Google callback checks (state, PKCE, code, verified email) for the dashboard's. */
@Injectable()
export class SessionGoogleCallbackGuard extends GoogleCallbackGuard {
  constructor(private readonly appConfig: AppConfig) {
    super(appConfig);
  }

  override getAuthenticateOptions(_context: ExecutionContext): { callbackURL: string } {
    return { callbackURL: sessionGoogleCallbackUrl(this.appConfig) };
  }
}

/**
 * The person is in a browser, not a client reading JSON: a refused Google sign-in sends them
 * back to the dashboard's sign-in page with the error's code (lower-case, no free text).
 */
@Catch()
export class GoogleSignInRedirectFilter implements ExceptionFilter {
  private readonly logger = new Logger(GoogleSignInRedirectFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    let code = 'internal_error';
    if (exception instanceof AppError) code = exception.code.toLowerCase();
    else this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Cache-Control', 'no-store');
    response.redirect(302, `/dashboard/sign-in?error=${encodeURIComponent(code)}`);
  }
}
