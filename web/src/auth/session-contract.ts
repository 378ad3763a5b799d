import type { paths } from '../api/schema';

/**
 * The cookie session the dashboard signs in with (SPEC §18), served by src/modules/dashboard
 * (session.controller.ts). `DocumentedSession` below is the generated response type of its
 * routes: the build fails if it stops carrying what `parseSessionResponse` reads.
 */
export const SESSION_ROUTES = {
  refresh: '/api/v1/auth/session/refresh',
  link: '/api/v1/auth/session/link',
  logout: '/api/v1/auth/session/logout',
  google: '/api/v1/auth/session/google',
} as const;

/** Cookie-authenticated requests carry this header: a cross-site form cannot set it. */
export const CSRF_HEADER = { 'X-CSRF-Token': '1' } as const;

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  wallet_number: string | null;
  is_admin: boolean;
}

export interface SessionResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: SessionUser;
}

type JsonOkOfPost<Item> = Item extends {
  post: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : 'no 200 JSON answer';
type DocumentedSession<Path extends string> = Path extends keyof paths
  ? JsonOkOfPost<paths[Path]>
  : 'undocumented';
type Holds<Documented> = Documented extends 'undocumented'
  ? true
  : Documented extends SessionResponse
    ? true
    : false;
type Assert<Condition extends true> = Condition;

/** Compile-time check against the generated types; see the comment at the top. */
export type SessionContractChecks = [
  Assert<Holds<DocumentedSession<typeof SESSION_ROUTES.refresh>>>,
  Assert<Holds<DocumentedSession<typeof SESSION_ROUTES.link>>>,
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function nullableString(value: unknown): value is string | null {
  return value === null || value === undefined || typeof value === 'string';
}

/** Reads a session answer, refusing one that lacks what the dashboard relies on. */
export function parseSessionResponse(body: unknown): SessionResponse {
  if (!isRecord(body) || !isRecord(body.user)) {
    throw new TypeError('The session answer has no user.');
  }
  const { access_token, expires_in, user } = body;
  if (typeof access_token !== 'string' || access_token === '') {
    throw new TypeError('The session answer has no access token.');
  }
  if (typeof expires_in !== 'number' || !Number.isFinite(expires_in) || expires_in <= 0) {
    throw new TypeError('The session answer has no usable expires_in.');
  }
  if (
    typeof user.id !== 'string' ||
    typeof user.email !== 'string' ||
    !nullableString(user.name) ||
    !nullableString(user.wallet_number)
  ) {
    throw new TypeError('The session answer has an incomplete user.');
  }
  return {
    access_token,
    token_type: 'Bearer',
    expires_in,
    user: {
      id: user.id,
      email: user.email,
      name: user.name ?? null,
      wallet_number: user.wallet_number ?? null,
      // Anything but an explicit true is not an admin.
      is_admin: user.is_admin === true,
    },
  };
}
