import request from 'supertest';
import { TokensService } from '../../src/modules/auth/jwt/tokens.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { startFakeGoogle, type FakeGoogle } from '../fakes/fake-google.js';
import { createTestApp, freePort, type TestApp } from './test-env.js';

export interface SignedIn {
  userId: string;
  token: string;
  authHeader: { Authorization: string };
}

/**
 * Finds or creates a local user (wallet included, through UsersService) and issues a real access
 * token for it through TokensService: the same path the CLI's user:token takes.
 */
export async function signIn(t: TestApp, email: string): Promise<SignedIn> {
  const user = await t.get<UsersService>(UsersService).findOrCreateByEmail(email);
  const session = await t.get<TokensService>(TokensService).issueSession(user);
  return {
    userId: user.id,
    token: session.accessToken,
    authHeader: { Authorization: `Bearer ${session.accessToken}` },
  };
}

/** Creates an API key over HTTP (POST /api/v1/keys) and returns the plain key. */
export async function createApiKey(
  t: TestApp,
  token: string,
  permissions: string[],
  expiry = '1D',
): Promise<string> {
  const res = await request(t.url)
    .post('/api/v1/keys')
    .set('Authorization', `Bearer ${token}`)
    .send({ name: `test-key-${permissions.join('-') || 'none'}`, permissions, expiry });
  if (res.status !== 201)
    throw new Error(`creating an API key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.api_key as string;
}

/**
 * A fake Google and an app on a port of its own whose APP_URL and Google callback point at that
 * port, so sign-in links, redirects and cookies come back to the app under test.
 */
export async function appWithFakeGoogle(): Promise<{ google: FakeGoogle; t: TestApp }> {
  const google = await startFakeGoogle({
    clientId: 'fake-client.apps.googleusercontent.com',
    clientSecret: 'fake-secret',
  });
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const t = await createTestApp({
      port,
      env: { ...google.env(`${url}/api/v1/auth/google/callback`), APP_URL: url },
    });
    return { google, t };
  } catch (error) {
    await google.close();
    throw error;
  }
}
