/** What the authenticated fetch needs from the session: the current token and a way to renew it. */
export interface AccessTokens {
  token(): string | null;
  /** Renews the access token (one request however many callers ask); null when signed out. */
  refresh(): Promise<string | null>;
}

/** Sets the header on the request itself: re-wrapping it would turn its body into a stream. */
function withBearer(request: Request, token: string | null): Request {
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  else request.headers.delete('Authorization');
  return request;
}

/**
 * fetch for API calls: adds `Authorization: Bearer <access token>`; on a 401 renews the token
 * once and sends the same request once more. If another call already renewed the token while
 * this one was in flight, it retries with that token instead of rotating the session again.
 */
export function createAuthFetch(
  tokens: AccessTokens,
  send: (request: Request) => Promise<Response> = (request) => fetch(request),
): (request: Request) => Promise<Response> {
  return async (request) => {
    const spare = request.clone();
    const sentWith = tokens.token();
    const first = await send(withBearer(request, sentWith));
    if (first.status !== 401) return first;
    const current = tokens.token();
    const renewed = current !== null && current !== sentWith ? current : await tokens.refresh();
    if (renewed === null) return first;
    return send(withBearer(spare, renewed));
  };
}
