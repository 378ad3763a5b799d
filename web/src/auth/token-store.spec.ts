import { ApiError } from '../api/errors';
import type { SessionResponse } from './session-contract';
import {
  REFRESH_RETRY_MS,
  TokenStore,
  refreshDelayMs,
  type Clock,
  type SessionTransport,
} from './token-store';

/** A clock whose timers run only when the test moves time forward. */
class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: Array<{ at: number; run: () => void; id: number }> = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((timer) => timer.at <= this.time);
    this.timers = this.timers.filter((timer) => timer.at > this.time);
    for (const timer of due) timer.run();
  }
}

function deferred<T>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function session(token: string, expiresIn = 900): SessionResponse {
  return {
    access_token: token,
    token_type: 'Bearer',
    expires_in: expiresIn,
    user: {
      id: 'u1',
      email: 'ada@example.com',
      name: 'Ada',
      wallet_number: '1234567890',
      is_admin: false,
    },
  };
}

/** A transport whose answers the test queues, counting what was asked. */
class ScriptedTransport implements SessionTransport {
  refreshAnswers: Array<() => Promise<SessionResponse | null>> = [];
  refreshCalls = 0;
  logoutTokens: Array<string | null> = [];
  linkAnswer: () => Promise<SessionResponse> = () => Promise.resolve(session('from-link'));

  refresh(): Promise<SessionResponse | null> {
    this.refreshCalls += 1;
    const next = this.refreshAnswers.shift();
    if (!next) throw new Error('unexpected refresh');
    return next();
  }
  link(): Promise<SessionResponse> {
    return this.linkAnswer();
  }
  logout(token: string | null): Promise<void> {
    this.logoutTokens.push(token);
    return Promise.resolve();
  }
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('refreshDelayMs', () => {
  it('renews a minute before a 15-minute token expires', () => {
    expect(refreshDelayMs(900)).toBe(840_000);
  });
  it('renews a quarter of the lifetime early when the lifetime is short', () => {
    expect(refreshDelayMs(60)).toBe(45_000);
    expect(refreshDelayMs(4)).toBe(3_000);
  });
  it('renews at once for a token that is already spent', () => {
    expect(refreshDelayMs(0)).toBe(0);
    expect(refreshDelayMs(-5)).toBe(0);
  });
});

describe('TokenStore', () => {
  it('restores the session from the refresh cookie and keeps the token in memory only', async () => {
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(() => Promise.resolve(session('access-1')));
    const store = new TokenStore(transport, new ManualClock());

    await store.restore();

    expect(store.getState()).toEqual({ status: 'signed-in', user: session('x').user });
    expect(store.token()).toBe('access-1');
  });

  it('shows the sign-in page when there is no session (401 on refresh)', async () => {
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(() => Promise.resolve(null));
    const store = new TokenStore(transport, new ManualClock());

    await store.restore();

    expect(store.getState()).toEqual({ status: 'signed-out', problem: null });
    expect(store.token()).toBeNull();
  });

  it('renews the token shortly before it expires, not earlier, and keeps renewing', async () => {
    const clock = new ManualClock();
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(
      () => Promise.resolve(session('access-1', 900)),
      () => Promise.resolve(session('access-2', 900)),
      () => Promise.resolve(session('access-3', 900)),
    );
    const store = new TokenStore(transport, clock);
    await store.restore();

    clock.advance(839_999);
    await flush();
    expect(transport.refreshCalls).toBe(1);
    expect(store.token()).toBe('access-1');

    clock.advance(1);
    await flush();
    expect(transport.refreshCalls).toBe(2);
    expect(store.token()).toBe('access-2');

    clock.advance(840_000);
    await flush();
    expect(transport.refreshCalls).toBe(3);
    expect(store.token()).toBe('access-3');
    expect(clock.pending()).toBe(1);
  });

  it('sends one refresh however many callers ask at once (refresh tokens rotate)', async () => {
    const transport = new ScriptedTransport();
    const answer = deferred<SessionResponse | null>();
    transport.refreshAnswers.push(() => answer.promise);
    const store = new TokenStore(transport, new ManualClock());

    const callers = [store.refresh(), store.refresh(), store.refresh()];
    answer.resolve(session('access-1'));

    expect(await Promise.all(callers)).toEqual(['access-1', 'access-1', 'access-1']);
    expect(transport.refreshCalls).toBe(1);
  });

  it('ends the session when a scheduled renewal is refused, and stops renewing', async () => {
    const clock = new ManualClock();
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(
      () => Promise.resolve(session('access-1', 900)),
      () => Promise.resolve(null),
    );
    const store = new TokenStore(transport, clock);
    await store.restore();

    clock.advance(840_000);
    await flush();

    expect(store.getState()).toEqual({
      status: 'signed-out',
      problem: { message: 'Your session ended. Sign in again.', requestId: null },
    });
    expect(store.token()).toBeNull();
    expect(clock.pending()).toBe(0);
  });

  it('keeps a live session through a renewal that cannot reach the server, and retries', async () => {
    const clock = new ManualClock();
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(
      () => Promise.resolve(session('access-1', 900)),
      () => Promise.reject(new TypeError('Failed to fetch')),
      () => Promise.resolve(session('access-2', 900)),
    );
    const store = new TokenStore(transport, clock);
    await store.restore();

    clock.advance(840_000);
    await flush();
    expect(store.getState().status).toBe('signed-in');
    expect(store.token()).toBe('access-1');

    clock.advance(REFRESH_RETRY_MS);
    await flush();
    expect(transport.refreshCalls).toBe(3);
    expect(store.token()).toBe('access-2');
  });

  it('stays signed out when sign-out happens while a renewal is in flight', async () => {
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(() => Promise.resolve(session('access-1')));
    const late = deferred<SessionResponse | null>();
    transport.refreshAnswers.push(() => late.promise);
    const store = new TokenStore(transport, new ManualClock());
    await store.restore();

    const renewal = store.refresh();
    await store.signOut();
    late.resolve(session('access-2'));
    await renewal;

    expect(store.getState()).toEqual({ status: 'signed-out', problem: null });
    expect(store.token()).toBeNull();
    expect(transport.logoutTokens).toEqual(['access-1']);
  });

  it('signs in with a one-time link and schedules renewal', async () => {
    const clock = new ManualClock();
    const transport = new ScriptedTransport();
    const store = new TokenStore(transport, clock);

    await store.signInWithLink('one-time');

    expect(store.token()).toBe('from-link');
    expect(store.getState().status).toBe('signed-in');
    expect(clock.pending()).toBe(1);
  });

  it('shows the API message and request id when a link is refused', async () => {
    const transport = new ScriptedTransport();
    transport.linkAnswer = () =>
      Promise.reject(
        new ApiError(401, {
          status_code: 401,
          code: 'UNAUTHENTICATED',
          message: 'This sign-in link has already been used',
          details: [],
          request_id: 'req-1',
        }),
      );
    const store = new TokenStore(transport, new ManualClock());

    await store.signInWithLink('used');

    expect(store.getState()).toEqual({
      status: 'signed-out',
      problem: { message: 'This sign-in link has already been used', requestId: 'req-1' },
    });
  });

  it('tells listeners about every change', async () => {
    const transport = new ScriptedTransport();
    transport.refreshAnswers.push(() => Promise.resolve(session('access-1')));
    const store = new TokenStore(transport, new ManualClock());
    const seen: string[] = [];
    store.subscribe(() => seen.push(store.getState().status));

    await store.restore();
    await store.signOut();

    expect(seen).toEqual(['signed-in', 'signed-out']);
  });
});
