import request from 'supertest';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module.js';
import { REDACTED } from '../../src/common/logging/redaction.js';
import { TokensService } from '../../src/modules/auth/jwt/tokens.service.js';
import { UsersService } from '../../src/modules/users/users.service.js';
import { startFakeGoogle, FakeGoogle } from '../fakes/fake-google.js';
import { createApiKey, signIn } from '../helpers/auth.js';
import { captureLogs } from '../helpers/log-capture.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

describe('log redaction (e2e)', () => {
  const { stream: capture, raw: lines } = captureLogs();
  let google: FakeGoogle;
  let t: TestApp;

  beforeAll(async () => {
    google = await startFakeGoogle({ clientId: 'log-client', clientSecret: 'log-client-secret' });
    t = await createTestApp({
      env: { LOG_LEVEL: 'info', ...google.env() },
      override: (builder) => builder.overrideProvider(LOG_DESTINATION).useValue(capture),
    });
  });

  afterAll(async () => {
    await t.close();
    await google.close();
  });

  /** pino-http writes its line when the response finishes, which may be just after we read it. */
  async function logLineOf(requestId: string): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const line = lines.find((candidate) => candidate.includes(`"request_id":"${requestId}"`));
      if (line) return line;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`no log line for request ${requestId}; captured ${lines.length} lines`);
  }

  it('logs requests carrying a bearer token, an API key, a refresh token and an OAuth code without their values', async () => {
    const person = await signIn(t, 'logged@example.com');
    const apiKey = await createApiKey(t, person.token, ['read']);
    const user = await t.get<UsersService>(UsersService).findOrCreateByEmail('logged@example.com');
    const session = await t.get<TokensService>(TokensService).issueSession(user);

    await request(t.url)
      .get('/api/v1/auth/me')
      .set(person.authHeader)
      .set('X-Request-Id', 'log-bearer')
      .expect(200);
    await request(t.url)
      .get('/api/v1/keys')
      .set('x-api-key', apiKey)
      .set('X-Request-Id', 'log-api-key')
      .expect(403);
    const refreshed = await request(t.url)
      .post('/api/v1/auth/refresh')
      .set('X-Request-Id', 'log-refresh')
      .send({ refresh_token: session.refreshToken })
      .expect(200);
    const oauthCode = '4/0AeaYSHBsecretcodevalue';
    const oauthState = 'stateValueThatMustNotBeLogged0123456789abcd';
    await request(t.url)
      .get(
        `/api/v1/auth/google/callback?code=${encodeURIComponent(oauthCode)}&state=${oauthState}&scope=email`,
      )
      .set('X-Request-Id', 'log-oauth')
      .expect(401);
    const start = await request(t.url)
      .get('/api/v1/auth/google')
      .set('X-Request-Id', 'log-redirect')
      .expect(302);
    const issuedState = new URL(start.headers.location).searchParams.get('state') as string;

    const bearerLine = await logLineOf('log-bearer');
    const keyLine = await logLineOf('log-api-key');
    const refreshLine = await logLineOf('log-refresh');
    const oauthLine = await logLineOf('log-oauth');
    const redirectLine = await logLineOf('log-redirect');

    // Something was logged for each, and the marker shows where a secret was taken out.
    expect(JSON.parse(bearerLine).req.headers.authorization).toBe(REDACTED);
    expect(JSON.parse(keyLine).req.headers['x-api-key']).toBe(REDACTED);
    expect(JSON.parse(oauthLine).req.url).toBe(
      `/api/v1/auth/google/callback?code=${REDACTED}&state=${REDACTED}&scope=email`,
    );
    expect(JSON.parse(refreshLine).req.url).toBe('/api/v1/auth/refresh');
    expect(JSON.parse(redirectLine).res.headers.location).toContain(`state=${REDACTED}`);

    const everything = lines.join('\n');
    const secrets = {
      accessToken: person.token,
      jwtSignature: person.token.split('.')[2],
      apiKey,
      apiKeyRandomPart: apiKey.slice('sk_live_'.length),
      refreshToken: session.refreshToken,
      newRefreshToken: refreshed.body.refresh_token as string,
      newAccessToken: refreshed.body.access_token as string,
      oauthCode,
      oauthCodeEncoded: encodeURIComponent(oauthCode),
      oauthState,
      issuedState,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect({ name, leaked: everything.includes(value) }).toEqual({ name, leaked: false });
    }
  });
});
