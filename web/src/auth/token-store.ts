import { ApiError } from '../api/errors';
import type { SessionResponse, SessionUser } from './session-contract';

/** How the store reaches the server's cookie session (see session-transport.ts). */
export interface SessionTransport {
  /** A new access token from the refresh cookie; null when there is no session (401). */
  refresh(): Promise<SessionResponse | null>;
  /** Exchanges a one-time sign-in link's token for a session. */
  link(token: string): Promise<SessionResponse>;
  logout(accessToken: string | null): Promise<void>;
}

export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserClock: Clock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Why the sign-in page is showing, in words a person can act on. */
export interface SignInProblem {
  message: string;
  requestId: string | null;
}

export type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out'; problem: SignInProblem | null }
  | { status: 'signed-in'; user: SessionUser };

/** Renew this long before the access token expires: a minute, or a quarter of a short lifetime. */
export function refreshDelayMs(expiresInSeconds: number): number {
  const lifetime = Math.max(0, expiresInSeconds * 1000);
  const lead = Math.min(60_000, lifetime / 4);
  return Math.floor(lifetime - lead);
}

/** After a renewal that could not reach the server, try again this much later. */
export const REFRESH_RETRY_MS = 15_000;

function problemFrom(error: unknown, fallback: string): SignInProblem {
  if (error instanceof ApiError) return { message: error.message, requestId: error.requestId };
  return { message: fallback, requestId: null };
}

/**
 * The signed-in session, in memory only: the access token never reaches localStorage,
 * sessionStorage or a readable cookie, so nothing a page script can read survives a reload (the
 * HttpOnly refresh cookie restores the session instead).
 */
export class TokenStore {
  private state: AuthState = { status: 'loading' };
  private accessToken: string | null = null;
  private expiresAt = 0;
  private timer: unknown = null;
  private inflight: Promise<string | null> | null = null;
  /** Bumped by every sign-in and sign-out, so an older renewal's answer cannot undo them. */
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly transport: SessionTransport,
    private readonly clock: Clock = browserClock,
  ) {}

  getState = (): AuthState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current access token, or null when signed out. */
  token = (): string | null => this.accessToken;

  /** When the current access token stops working (ms since the epoch); 0 when signed out. */
  expiry(): number {
    return this.expiresAt;
  }

  /** On page load: resume the session the refresh cookie holds, if any. */
  async restore(): Promise<void> {
    await this.refresh();
  }

  /**
   * Renews the access token. Concurrent callers share one request: the refresh token rotates,
   * and presenting the same one twice would end the session.
   */
  refresh = (): Promise<string | null> => {
    if (this.inflight) return this.inflight;
    const generation = this.generation;
    const attempt = this.transport.refresh().then(
      (answer) => {
        if (generation !== this.generation) return this.accessToken;
        if (answer === null) {
          this.end(
            this.state.status === 'signed-in'
              ? { message: 'Your session ended. Sign in again.', requestId: null }
              : null,
          );
          return null;
        }
        this.accept(answer);
        return this.accessToken;
      },
      (error: unknown) => {
        if (generation !== this.generation) return this.accessToken;
        if (this.state.status !== 'signed-in') {
          this.end(
            problemFrom(error, 'Could not reach the server. Check your connection and reload.'),
          );
          return null;
        }
        // Still signed in with a token that may be valid: keep it and try again shortly.
        this.schedule(REFRESH_RETRY_MS);
        return null;
      },
    );
    this.inflight = attempt.finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  };

  /** Signs in with a one-time link's token (read from the URL fragment). */
  async signInWithLink(linkToken: string): Promise<void> {
    const generation = ++this.generation;
    this.cancelTimer();
    this.setState({ status: 'loading' });
    try {
      const answer = await this.transport.link(linkToken);
      if (generation === this.generation) this.accept(answer);
    } catch (error) {
      if (generation === this.generation) {
        this.end(
          problemFrom(
            error,
            'Could not reach the server to use the sign-in link. Reload to try again.',
          ),
        );
      }
    }
  }

  /** Ends the session here at once, then asks the server to revoke it. */
  async signOut(): Promise<void> {
    const token = this.accessToken;
    this.generation += 1;
    this.end(null);
    try {
      await this.transport.logout(token);
    } catch (error) {
      this.setState({
        status: 'signed-out',
        problem: problemFrom(
          error,
          'Signed out here, but the server could not be told: close this browser window to be sure.',
        ),
      });
    }
  }

  private accept(answer: SessionResponse): void {
    this.accessToken = answer.access_token;
    this.expiresAt = this.clock.now() + answer.expires_in * 1000;
    this.setState({ status: 'signed-in', user: answer.user });
    this.schedule(refreshDelayMs(answer.expires_in));
  }

  private end(problem: SignInProblem | null): void {
    this.cancelTimer();
    this.accessToken = null;
    this.expiresAt = 0;
    this.setState({ status: 'signed-out', problem });
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private setState(next: AuthState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}
