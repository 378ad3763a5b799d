import { toApiError } from '../api/errors';
import {
  CSRF_HEADER,
  SESSION_ROUTES,
  parseSessionResponse,
  type SessionResponse,
} from './session-contract';
import type { SessionTransport } from './token-store';

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

async function post(path: string, body?: unknown, accessToken?: string | null): Promise<Response> {
  const headers: Record<string, string> = { ...CSRF_HEADER };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/**
 * Refresh tokens rotate and presenting one twice ends the session, so two tabs must never
 * refresh at the same moment with the same cookie: the Web Locks API serialises them across
 * tabs (the second tab then sends the cookie the first one received).
 */
async function acrossTabs<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (!locks) return work();
  return locks.request('dashboard-session-refresh', work);
}

export const cookieSessionTransport: SessionTransport = {
  async refresh(): Promise<SessionResponse | null> {
    return acrossTabs(async () => {
      const response = await post(SESSION_ROUTES.refresh);
      // No session: 401, or 204 where the server answers a missing cookie without an error
      // status (which browsers would log to the console).
      if (response.status === 401 || response.status === 204) return null;
      const body = await readJson(response);
      if (!response.ok) throw toApiError(response, body);
      return parseSessionResponse(body);
    });
  },

  async link(token: string): Promise<SessionResponse> {
    const response = await post(SESSION_ROUTES.link, { token });
    const body = await readJson(response);
    if (!response.ok) throw toApiError(response, body);
    return parseSessionResponse(body);
  },

  async logout(accessToken: string | null): Promise<void> {
    const response = await post(SESSION_ROUTES.logout, undefined, accessToken);
    // 401: the session had already ended, which is what signing out wants.
    if (!response.ok && response.status !== 401) {
      throw toApiError(response, await readJson(response));
    }
  },
};
