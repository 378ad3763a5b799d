import { QueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { ApiError } from '../api/errors';
import { createApiClient } from '../api/client';
import { cookieSessionTransport } from '../auth/session-transport';
import { TokenStore, type AuthState } from '../auth/token-store';
import type { SessionUser } from '../auth/session-contract';

/** The one session, API client and cache of this page. */
export const tokenStore = new TokenStore(cookieSessionTransport);
export const api = createApiClient(tokenStore);

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal (4xx) will not change by asking again; a server or network failure might.
      retry: (failures, error) =>
        !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
    mutations: { retry: false },
  },
});

// A new person signing in on this tab must never see the previous one's cached answers.
tokenStore.subscribe(() => {
  if (tokenStore.getState().status !== 'signed-in') queryClient.clear();
});

export function useAuth(): AuthState {
  return useSyncExternalStore(tokenStore.subscribe, tokenStore.getState);
}

/** The signed-in person (only rendered inside the signed-in app). */
export function useUser(): SessionUser {
  const state = useAuth();
  if (state.status !== 'signed-in') throw new Error('useUser outside a signed-in page');
  return state.user;
}

/**
 * A one-time sign-in link lands on /dashboard/sign-in#token=…: take the token and wipe it from
 * the address bar and history before anything else runs, so it is not left in history or sent
 * on in a Referer.
 */
export function takeLinkToken(location: Location, history: History): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match?.[1]) return null;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return decodeURIComponent(match[1]);
}

/** Starts the session once per page load: from a sign-in link, or from the refresh cookie. */
export function startSession(): void {
  const linkToken = takeLinkToken(window.location, window.history);
  void (linkToken ? tokenStore.signInWithLink(linkToken) : tokenStore.restore());
}
