import createClient from 'openapi-fetch';
import { createAuthFetch, type AccessTokens } from './auth-fetch';
import type { paths } from './schema';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** The one API client: typed from the OpenAPI document, authenticated by the session's token. */
export function createApiClient(tokens: AccessTokens): ApiClient {
  return createClient<paths>({
    // Same origin: the service serves the dashboard beside its API.
    baseUrl: '',
    credentials: 'same-origin',
    fetch: createAuthFetch(tokens),
  });
}

/** A fresh Idempotency-Key for one money-moving submission (kept when the same form retries). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
