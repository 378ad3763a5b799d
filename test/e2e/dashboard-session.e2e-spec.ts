import pg from 'pg';
import request from 'supertest';
import { dashboardLinkCommand } from '../../src/cli/dashboard.commands.js';
import type { FakeGoogle } from '../fakes/fake-google.js';
import { appWithFakeGoogle } from '../helpers/auth.js';
import { createTestApp, runCli, type TestApp } from '../helpers/test-env.js';

const SESSION = '/api/v1/auth/session';
const CSRF = { 'X-CSRF-Token': '1' };

/** The session cookie a response set: its value and its attributes. */
function sessionCookie(res: request.Response): { value: string; attributes: string } | undefined {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = raw?.find((cookie) => cookie.startsWith('dashboard_session='));
  if (!line) return undefined;
  const [pair, ...attributes] = line.split(';');
  return { value: pair.slice('dashboard_session='.length), attributes: attributes.join(';') };
}

const cookieHeader = (value: string) => ({ Cookie: `dashboard_session=${value}` });

/** The OAuth browser-binding cookie a dashboard Google sign-in start sets. */
function browserBinding(res: request.Response): { value: string; attributes: string } {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const line = raw?.find((cookie) => cookie.startsWith('oauth_browser='));
  if (!line) throw new Error('the sign-in start set no oauth_browser cookie');
  const [pair, ...attributes] = line.split(';');
  return { value: pair.slice('oauth_browser='.length), attributes: attributes.join(';') };
}

describe('dashboard session: cookie sign-in, one-time links, CSRF, rotation (e2e)', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    ({ google, t } = await appWithFakeGoogle());
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await t.close();
    await google.close();
  });

  const printLink = (email: string, create = false): Promise<string[]> =>
    runCli(t, dashboardLinkCommand, create ? { email, create: true } : { email });

  async function linkToken(email: string): Promise<string> {
    const [link] = await printLink(email, true);
    const match = /#token=([A-Za-z0-9_-]{43})$/.exec(link);
    if (!match) throw new Error(`not a sign-in link: ${link}`);
    return match[1];
  }

  const useLink = (token: string) =>
    request(t.url).post(`${SESSION}/link`).set(CSRF).send({ token });

  it('dashboard:link prints a link for the user and refuses an unknown email', async () => {
    await expect(printLink('nobody@example.com')).rejects.toThrow(/No user has the email/);
    const [link, note] = await printLink('Linda@Example.com', true);
    expect(link).toMatch(
      new RegExp(`^${t.config.appUrl}/dashboard/sign-in#token=[A-Za-z0-9_-]{43}$`),
    );
    expect(note).toMatch(/valid once, until .* for linda@example.com/);
    // Only the hash is stored.
    const token = link.split('#token=')[1];
    const { rows } = await db.query(`SELECT token_hash FROM dashboard_sign_in_links`);
    expect(rows.some((row) => (row.token_hash as Buffer).toString('utf8').includes(token))).toBe(
      false,
    );
  });

  it('a link signs in once, sets the HttpOnly Secure SameSite=Strict cookie, and is refused the second time', async () => {
    const token = await linkToken('link-once@example.com');
    const first = await useLink(token).expect(200);
    expect(first.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { email: 'link-once@example.com', is_admin: false, name: null },
    });
    expect(first.body.user.wallet_number).toMatch(/^\d{13}$/);
    expect(first.body).not.toHaveProperty('refresh_token');
    expect(first.headers['cache-control']).toBe('no-store');
    const cookie = sessionCookie(first);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.attributes).toMatch(/Path=\/api\/v1\/auth\/session/);
    expect(cookie?.attributes).toMatch(/HttpOnly/);
    expect(cookie?.attributes).toMatch(/Secure/);
    expect(cookie?.attributes).toMatch(/SameSite=Strict/);
    await request(t.url)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${first.body.access_token}`)
      .expect(200);

    const second = await useLink(token).expect(401);
    expect(second.body.code).toBe('UNAUTHENTICATED');
    expect(sessionCookie(second)).toBeUndefined();
  });

  it('two concurrent uses of one link sign in exactly once', async () => {
    const token = await linkToken('link-race@example.com');
    const answers = await Promise.all(Array.from({ length: 8 }, () => useLink(token)));
    expect(answers.map((res) => res.status).sort((a, b) => a - b)).toEqual([
      200, 401, 401, 401, 401, 401, 401, 401,
    ]);
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM refresh_token_families f JOIN users u ON u.id = f.user_id
       WHERE u.email = 'link-race@example.com'`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('an expired link is refused', async () => {
    const token = await linkToken('link-expired@example.com');
    await db.query(
      `UPDATE dashboard_sign_in_links
       SET created_at = now() - interval '11 minutes', expires_at = now() - interval '1 minute'
       WHERE used_at IS NULL`,
    );
    const res = await useLink(token).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('a malformed link token is a 400, and a link without the CSRF header is refused and stays usable', async () => {
    await request(t.url).post(`${SESSION}/link`).set(CSRF).send({ token: 'short' }).expect(400);
    const token = await linkToken('link-csrf@example.com');
    const refused = await request(t.url).post(`${SESSION}/link`).send({ token }).expect(403);
    expect(refused.body.code).toBe('CSRF_CHECK_FAILED');
    const otherSite = await useLink(token).set('Origin', 'https://evil.example').expect(403);
    expect(otherSite.body.code).toBe('CSRF_CHECK_FAILED');
    await useLink(token).set('Origin', t.url).expect(200);
  });

  it('refresh: 204 without a cookie, 403 without the CSRF header, rotation, and reuse revokes the session', async () => {
    await request(t.url).post(`${SESSION}/refresh`).set(CSRF).expect(204);

    const signedIn = await useLink(await linkToken('refresher@example.com')).expect(200);
    const first = sessionCookie(signedIn)?.value as string;

    const noCsrf = await request(t.url).post(`${SESSION}/refresh`).set(cookieHeader(first));
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe('CSRF_CHECK_FAILED');

    const rotated = await request(t.url)
      .post(`${SESSION}/refresh`)
      .set(CSRF)
      .set(cookieHeader(first))
      .expect(200);
    expect(rotated.body.user.email).toBe('refresher@example.com');
    const second = sessionCookie(rotated)?.value as string;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);

    // The first cookie again: reuse. The whole session ends, the newer cookie and the access
    // tokens included, and the cookie is cleared.
    const reused = await request(t.url)
      .post(`${SESSION}/refresh`)
      .set(CSRF)
      .set(cookieHeader(first))
      .expect(401);
    expect(sessionCookie(reused)?.value).toBe('');
    await request(t.url).post(`${SESSION}/refresh`).set(CSRF).set(cookieHeader(second)).expect(401);
    await request(t.url)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${rotated.body.access_token}`)
      .expect(401);
  });

  it('two refreshes racing with one cookie: one rotates, the other is reuse and ends the session', async () => {
    const signedIn = await useLink(await linkToken('racer@example.com')).expect(200);
    const cookie = sessionCookie(signedIn)?.value as string;
    const answers = await Promise.all(
      [0, 1].map(() =>
        request(t.url).post(`${SESSION}/refresh`).set(CSRF).set(cookieHeader(cookie)),
      ),
    );
    expect(answers.map((res) => res.status).sort((a, b) => a - b)).toEqual([200, 401]);
    const winner = answers.find((res) => res.status === 200) as request.Response;
    // The reuse revoked the family: the winner's new cookie is dead too.
    await request(t.url)
      .post(`${SESSION}/refresh`)
      .set(CSRF)
      .set(cookieHeader(sessionCookie(winner)?.value as string))
      .expect(401);
  });

  it('logout revokes the session and clears the cookie', async () => {
    const signedIn = await useLink(await linkToken('leaver@example.com')).expect(200);
    const cookie = sessionCookie(signedIn)?.value as string;
    await request(t.url).post(`${SESSION}/logout`).set(cookieHeader(cookie)).expect(403);
    const out = await request(t.url)
      .post(`${SESSION}/logout`)
      .set(CSRF)
      .set(cookieHeader(cookie))
      .expect(204);
    expect(sessionCookie(out)?.value).toBe('');
    expect(sessionCookie(out)?.attributes).toMatch(/Expires=Thu, 01 Jan 1970/);
    await request(t.url).post(`${SESSION}/refresh`).set(CSRF).set(cookieHeader(cookie)).expect(401);
    await request(t.url)
      .get('/api/v1/auth/me')
      .set('Authorization', `Bearer ${signedIn.body.access_token}`)
      .expect(401);
    // Signed out already: still 204.
    await request(t.url).post(`${SESSION}/logout`).set(CSRF).expect(204);
  });

  it('is_admin follows ADMIN_EMAILS', async () => {
    const res = await useLink(await linkToken('admin@example.com')).expect(200);
    expect(res.body.user.is_admin).toBe(true);
  });

  it('Google: sets the cookie and redirects to /dashboard/; a refused callback goes to the sign-in page with a code', async () => {
    google.setIdentity({
      sub: '222222222222222222222',
      email: 'gwen@example.com',
      email_verified: true,
      name: 'Gwen',
    });
    const start = await request(t.url).get(`${SESSION}/google`).expect(302);
    const binding = browserBinding(start);
    expect(binding.attributes).toMatch(/HttpOnly/);
    expect(binding.attributes).toMatch(/SameSite=Lax/);
    expect(binding.attributes).toMatch(/Path=\/api\/v1\/auth\/session\/google/);
    const consent = new URL(start.headers.location);
    expect(`${consent.origin}${consent.pathname}`).toBe(google.authUrl);
    expect(consent.searchParams.get('redirect_uri')).toBe(`${t.url}${SESSION}/google/callback`);
    const back = await fetch(consent, { redirect: 'manual' });
    const callback = new URL(back.headers.get('location') as string);
    expect(callback.pathname).toBe(`${SESSION}/google/callback`);

    const done = await request(t.url)
      .get(`${callback.pathname}${callback.search}`)
      .set('Cookie', `oauth_browser=${binding.value}`)
      .expect(302);
    expect(done.headers.location).toBe('/dashboard/');
    const cookie = sessionCookie(done);
    expect(cookie?.attributes).toMatch(/HttpOnly/);
    const refreshed = await request(t.url)
      .post(`${SESSION}/refresh`)
      .set(CSRF)
      .set(cookieHeader(cookie?.value as string))
      .expect(200);
    expect(refreshed.body.user).toMatchObject({ email: 'gwen@example.com', name: 'Gwen' });

    // The same state again (replayed callback): refused, back to the sign-in page.
    const replay = await request(t.url)
      .get(`${callback.pathname}${callback.search}`)
      .set('Cookie', `oauth_browser=${binding.value}`)
      .expect(302);
    expect(replay.headers.location).toBe('/dashboard/sign-in?error=unauthenticated');
    expect(sessionCookie(replay)).toBeUndefined();
  });

  it('Google: refuses a callback opened in another browser than the one that started the sign-in (login CSRF), and uses its state up', async () => {
    google.setIdentity({
      sub: '333333333333333333333',
      email: 'mallory@example.com',
      email_verified: true,
      name: 'Mallory',
    });
    // The attacker starts a sign-in, consents with their own account, and keeps the callback link.
    const start = await request(t.url).get(`${SESSION}/google`).expect(302);
    const attackers = browserBinding(start);
    const back = await fetch(new URL(start.headers.location), { redirect: 'manual' });
    const link = new URL(back.headers.get('location') as string);
    const path = `${link.pathname}${link.search}`;
    // The victim's browser opens it: with no binding cookie, or with one of its own sign-in.
    const victims = browserBinding(await request(t.url).get(`${SESSION}/google`).expect(302));
    for (const cookie of [undefined, `oauth_browser=${victims.value}`]) {
      const opened = request(t.url).get(path);
      const res = await (cookie ? opened.set('Cookie', cookie) : opened).expect(302);
      expect(res.headers.location).toBe('/dashboard/sign-in?error=unauthenticated');
      expect(sessionCookie(res)).toBeUndefined();
    }
    // Refused states are used up: not even the attacker's own browser can finish it now.
    const late = await request(t.url)
      .get(path)
      .set('Cookie', `oauth_browser=${attackers.value}`)
      .expect(302);
    expect(late.headers.location).toBe('/dashboard/sign-in?error=unauthenticated');
  });

  it('a token never issued is refused', async () => {
    const res = await useLink('A'.repeat(43)).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('dashboard session without Google configured (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('sends the person back to the sign-in page with google_not_configured', async () => {
    const res = await request(t.url).get(`${SESSION}/google`).expect(302);
    expect(res.headers.location).toBe('/dashboard/sign-in?error=google_not_configured');
    const callback = await request(t.url)
      .get(`${SESSION}/google/callback?code=x&state=y`)
      .expect(302);
    expect(callback.headers.location).toBe('/dashboard/sign-in?error=google_not_configured');
  });
});
