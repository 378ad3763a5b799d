import { createAuthFetch, type AccessTokens } from './auth-fetch';

/** Records each request's Authorization header and body; answers 401 to tokens it calls stale. */
function server(stale: Set<string>) {
  const seen: Array<{ authorization: string | null; body: string }> = [];
  const send = async (request: Request): Promise<Response> => {
    const authorization = request.headers.get('authorization');
    seen.push({ authorization, body: await request.text() });
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    return new Response(null, { status: token === '' || stale.has(token) ? 401 : 200 });
  };
  return { seen, send };
}

function tokens(initial: string | null, renewTo: string | null) {
  let current = initial;
  let refreshes = 0;
  const store: AccessTokens & { refreshes(): number; set(token: string): void } = {
    token: () => current,
    refresh: () => {
      refreshes += 1;
      current = renewTo;
      return Promise.resolve(renewTo);
    },
    refreshes: () => refreshes,
    set: (token) => {
      current = token;
    },
  };
  return store;
}

const transfer = () =>
  new Request('http://dashboard.test/api/v1/wallet/transfer', {
    method: 'POST',
    body: JSON.stringify({ wallet_number: '1234567890', amount: 500 }),
    headers: { 'Content-Type': 'application/json' },
  });

describe('createAuthFetch', () => {
  it('sends the access token as a bearer header', async () => {
    const api = server(new Set());
    const authFetch = createAuthFetch(tokens('access-1', null), api.send);

    const response = await authFetch(transfer());

    expect(response.status).toBe(200);
    expect(api.seen.map((request) => request.authorization)).toEqual(['Bearer access-1']);
  });

  it('renews once on a 401 and sends the same request, body included, once more', async () => {
    const api = server(new Set(['access-1']));
    const session = tokens('access-1', 'access-2');
    const authFetch = createAuthFetch(session, api.send);

    const response = await authFetch(transfer());

    expect(response.status).toBe(200);
    expect(session.refreshes()).toBe(1);
    expect(api.seen).toEqual([
      { authorization: 'Bearer access-1', body: '{"wallet_number":"1234567890","amount":500}' },
      { authorization: 'Bearer access-2', body: '{"wallet_number":"1234567890","amount":500}' },
    ]);
  });

  it('retries only once: a second 401 is the answer', async () => {
    const api = server(new Set(['access-1', 'access-2']));
    const session = tokens('access-1', 'access-2');
    const authFetch = createAuthFetch(session, api.send);

    const response = await authFetch(transfer());

    expect(response.status).toBe(401);
    expect(api.seen).toHaveLength(2);
    expect(session.refreshes()).toBe(1);
  });

  it('answers the 401 without a retry when the session cannot be renewed', async () => {
    const api = server(new Set(['access-1']));
    const session = tokens('access-1', null);
    const authFetch = createAuthFetch(session, api.send);

    const response = await authFetch(transfer());

    expect(response.status).toBe(401);
    expect(api.seen).toHaveLength(1);
  });

  it('reuses a token another call renewed meanwhile instead of rotating the session again', async () => {
    const stale = new Set(['access-1']);
    const session = tokens('access-1', 'access-3');
    const api = server(stale);
    const authFetch = createAuthFetch(session, async (request) => {
      const answer = await api.send(request);
      // While this request was in flight, another call renewed the token.
      if (api.seen.length === 1) session.set('access-2');
      return answer;
    });

    const response = await authFetch(transfer());

    expect(response.status).toBe(200);
    expect(session.refreshes()).toBe(0);
    expect(api.seen.map((request) => request.authorization)).toEqual([
      'Bearer access-1',
      'Bearer access-2',
    ]);
  });
});
