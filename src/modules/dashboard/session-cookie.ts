import type { Request, Response } from 'express';
import { AppError } from '../../common/errors/app-error.js';
import { cookieValue, isTokenCookie } from '../../common/request/cookies.js';

/** The refresh token's cookie: sent only to the session routes, never readable by page scripts. */
export const SESSION_COOKIE = 'dashboard_session';
export const SESSION_COOKIE_PATH = '/api/v1/auth/session';
/** Every cookie-authenticated request carries it: a cross-site form or image cannot. */
export const CSRF_HEADER = 'x-csrf-token';

/** The session cookie's value, or undefined (a bounded, base64url value only). */
export function sessionCookieOf(request: Request): string | undefined {
  const value = cookieValue(request.headers.cookie, SESSION_COOKIE);
  return isTokenCookie(value) ? value : undefined;
}

export function setSessionCookie(response: Response, refreshToken: string, maxAgeMs: number): void {
  response.cookie(SESSION_COOKIE, refreshToken, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: SESSION_COOKIE_PATH,
    maxAge: maxAgeMs,
  });
}

export function clearSessionCookie(response: Response): void {
  response.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: SESSION_COOKIE_PATH,
  });
}

export const csrfRefused = (message: string): AppError =>
  new AppError(403, 'CSRF_CHECK_FAILED', message);

/**
 * The CSRF defence of the cookie-authenticated routes: the `X-CSRF-Token: 1` header (a custom
 * header, which a cross-site form, link or image cannot send and a cross-site script only after
 * a CORS preflight), and, when the browser says where the request comes from, an Origin of this
 * service (the Host it was sent to, or APP_URL): even an origin CORS_ORIGINS allows is refused
 * here. SameSite=Strict on the cookie is the third layer.
 */
export function assertSameOriginRequest(request: Request, appUrl: string): void {
  if (request.headers[CSRF_HEADER] !== '1') {
    throw csrfRefused('This request needs the X-CSRF-Token: 1 header');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw csrfRefused('The request comes from another site');
  }
  if (host !== request.headers.host && host !== new URL(appUrl).host) {
    throw csrfRefused('The request comes from another site');
  }
}
