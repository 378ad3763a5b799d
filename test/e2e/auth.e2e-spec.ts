import pg from 'pg';
import request from 'supertest';
import { TokensService } from '../../src/modules/auth/jwt/tokens.service.js';
import { WalletService } from '../../src/modules/wallet/wallet.service.js';
import { startFakeGoogle, FakeGoogle, FakeGoogleIdentity } from '../fakes/fake-google.js';
import { signIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

const AUTH = '/api/v1/auth';

describe('auth: Google sign-in, tokens and sessions (e2e)', () => {
  let google: FakeGoogle;
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    google = await startFakeGoogle({
      clientId: 'fake-client.apps.googleusercontent.com',
      clientSecret: 'fake-secret',
    });
    t = await createTestApp({ env: google.env() });
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await t.close();
    await google.close();
  });

  /** Plays the browser: follows our redirect to the consent screen and Google's back to us. */
  async function consent(): Promise<URLSearchParams> {
    const start = await request(t.url).get(`${AUTH}/google`).expect(302);
    const consentUrl = new URL(start.headers.location);
    expect(`${consentUrl.origin}${consentUrl.pathname}`).toBe(google.authUrl);
    const back = await fetch(consentUrl, { redirect: 'manual' });
    expect(back.status).toBe(302);
    return new URL(back.headers.get('location') as string).searchParams;
  }

  const callback = (params: URLSearchParams) =>
    request(t.url).get(`${AUTH}/google/callback?${params.toString()}`);

  async function googleSignIn(identity: FakeGoogleIdentity) {
    google.setIdentity(identity);
    const res = await callback(await consent());
    expect(res.status).toBe(200);
    return res.body as {
      access_token: string;
      refresh_token: string;
      token_type: string;
      expires_in: number;
      user: { id: string; email: string; name: string | null; wallet_number: string | null };
    };
  }

  it('signs a person in through Google and creates the user once, identified by sub', async () => {
    const identity = {
      sub: '111111111111111111111',
      email: 'Ada@Example.com',
      email_verified: true,
      name: 'Ada Lovelace',
    };
    const first = await googleSignIn(identity);
    expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(first.user).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
    expect(first.user.wallet_number).toEqual(
      await t.get<WalletService>(WalletService).walletNumberOf(first.user.id),
    );

    const me = await request(t.url)
      .get(`${AUTH}/me`)
      .set('Authorization', `Bearer ${first.access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({
      id: first.user.id,
      email: 'ada@example.com',
      name: 'Ada Lovelace',
    });

    // Same sub with a changed email is the same person.
    const again = await googleSignIn({ ...identity, email: 'ada.new@example.com' });
    expect(again.user.id).toBe(first.user.id);
    const users = await db.query(`SELECT count(*)::int AS n FROM users WHERE google_sub = $1`, [
      identity.sub,
    ]);
    expect(users.rows[0].n).toBe(1);

    // The code went to Google's token endpoint with the client credentials and a PKCE verifier.
    const exchange = google.tokenRequests.at(-1);
    expect(exchange?.status).toBe(200);
    expect(exchange?.params).toMatchObject({
      grant_type: 'authorization_code',
      client_id: 'fake-client.apps.googleusercontent.com',
    });
    expect(exchange?.params.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });

  it('links Google to an existing local account with the same verified email', async () => {
    const local = await signIn(t, 'linked@example.com');
    const body = await googleSignIn({
      sub: '222222222222222222222',
      email: 'linked@example.com',
      email_verified: true,
    });
    expect(body.user.id).toBe(local.userId);
  });

  it('returns the consent URL for single-page apps with a state and an S256 PKCE challenge', async () => {
    const res = await request(t.url).get(`${AUTH}/google/url`).expect(200);
    const url = new URL(res.body.authorization_url);
    expect(`${url.origin}${url.pathname}`).toBe(google.authUrl);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toContain('email');
  });

  it('refuses a callback whose state it never issued, and a state used twice', async () => {
    google.setIdentity({
      sub: '333333333333333333333',
      email: 'state@example.com',
      email_verified: true,
    });
    const params = await consent();
    const forged = new URLSearchParams(params);
    forged.set('state', 'x'.repeat(43));
    const bad = await callback(forged).expect(401);
    expect(bad.body).toMatchObject({ status_code: 401, code: 'UNAUTHENTICATED' });

    const missing = new URLSearchParams(params);
    missing.delete('state');
    await callback(missing).expect(401);

    await callback(params).expect(200);
    await callback(params).expect(401);
    const users = await db.query(
      `SELECT count(*)::int AS n FROM users WHERE email = 'state@example.com'`,
    );
    expect(users.rows[0].n).toBe(1);
  });

  it('refuses a Google account whose email is not verified and creates nobody', async () => {
    google.setIdentity({
      sub: '444444444444444444444',
      email: 'unverified@example.com',
      email_verified: false,
    });
    const res = await callback(await consent()).expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect(res.body.message).toMatch(/not verified/);
    const users = await db.query(
      `SELECT count(*)::int AS n FROM users WHERE email = 'unverified@example.com'`,
    );
    expect(users.rows[0].n).toBe(0);
  });

  it('refuses a callback whose code Google rejects, and a person who declined', async () => {
    google.setIdentity({
      sub: '555555555555555555555',
      email: 'badcode@example.com',
      email_verified: true,
    });
    const params = await consent();
    params.set('code', '4/not-a-code-google-issued');
    await callback(params).expect(401);
    const declined = await request(t.url)
      .get(`${AUTH}/google/callback?error=access_denied&state=whatever`)
      .expect(401);
    expect(declined.body.code).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens, and reuse of a used one revokes the whole family', async () => {
    const session = await googleSignIn({
      sub: '666666666666666666666',
      email: 'rotate@example.com',
      email_verified: true,
    });
    const rotated = await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: session.refresh_token })
      .expect(200);
    expect(rotated.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(rotated.body.refresh_token).not.toBe(session.refresh_token);
    await request(t.url)
      .get(`${AUTH}/me`)
      .set('Authorization', `Bearer ${rotated.body.access_token}`)
      .expect(200);

    const second = await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: rotated.body.refresh_token })
      .expect(200);

    // The first token again: theft assumed, the family dies.
    const reuse = await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: session.refresh_token })
      .expect(401);
    expect(reuse.body).toMatchObject({ status_code: 401, code: 'UNAUTHENTICATED' });
    await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: second.body.refresh_token })
      .expect(401);
    for (const token of [
      session.access_token,
      rotated.body.access_token,
      second.body.access_token,
    ]) {
      await request(t.url).get(`${AUTH}/me`).set('Authorization', `Bearer ${token}`).expect(401);
    }
    const family = await db.query(
      `SELECT f.revoked_reason FROM refresh_token_families f JOIN users u ON u.id = f.user_id WHERE u.email = 'rotate@example.com'`,
    );
    expect(family.rows).toEqual([{ revoked_reason: 'reuse' }]);
  });

  it('lets exactly one of several concurrent refreshes with the same token win', async () => {
    const session = await googleSignIn({
      sub: '777777777777777777777',
      email: 'race@example.com',
      email_verified: true,
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        request(t.url).post(`${AUTH}/refresh`).send({ refresh_token: session.refresh_token }),
      ),
    );
    const winners = results.filter((res) => res.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((res) => res.status === 401)).toHaveLength(7);
    // The losers presented a used token: the family is revoked, the winner's pair with it.
    await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: winners[0].body.refresh_token })
      .expect(401);
    const tokens = await db.query(
      `SELECT count(*)::int AS n FROM refresh_tokens t JOIN refresh_token_families f ON f.id = t.family_id
       JOIN users u ON u.id = f.user_id WHERE u.email = 'race@example.com'`,
    );
    expect(tokens.rows[0].n).toBe(2);
  });

  it('stores refresh tokens only as hashes', async () => {
    const session = await googleSignIn({
      sub: '888888888888888888888',
      email: 'hashes@example.com',
      email_verified: true,
    });
    const dump = await db.query(`SELECT row_to_json(t)::text AS row FROM refresh_tokens t`);
    for (const { row } of dump.rows) expect(row).not.toContain(session.refresh_token);
  });

  it('logs out: the session’s access and refresh tokens stop working, other sessions do not', async () => {
    const identity = {
      sub: '999999999999999999999',
      email: 'logout@example.com',
      email_verified: true,
    };
    const one = await googleSignIn(identity);
    const two = await googleSignIn(identity);
    await request(t.url)
      .post(`${AUTH}/logout`)
      .set('Authorization', `Bearer ${one.access_token}`)
      .expect(204);
    await request(t.url)
      .get(`${AUTH}/me`)
      .set('Authorization', `Bearer ${one.access_token}`)
      .expect(401);
    await request(t.url)
      .post(`${AUTH}/refresh`)
      .send({ refresh_token: one.refresh_token })
      .expect(401);
    await request(t.url)
      .get(`${AUTH}/me`)
      .set('Authorization', `Bearer ${two.access_token}`)
      .expect(200);
  });

  it('answers an unknown or malformed refresh token with 401 and a missing one with 400', async () => {
    await request(t.url).post(`${AUTH}/refresh`).send({ refresh_token: 'nope' }).expect(401);
    const res = await request(t.url).post(`${AUTH}/refresh`).send({}).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('answers Google routes with 503 GOOGLE_NOT_CONFIGURED when no client is configured', async () => {
    const bare = await createTestApp();
    try {
      const res = await request(bare.url).get(`${AUTH}/google/url`).expect(503);
      expect(res.body.code).toBe('GOOGLE_NOT_CONFIGURED');
    } finally {
      await bare.close();
    }
  });

  it('purges long-expired refresh tokens, the sessions they leave empty and stale OAuth states', async () => {
    const live = await signIn(t, 'purge-live@example.com');
    const stale = await signIn(t, 'purge-stale@example.com');
    await db.query(
      `UPDATE refresh_tokens SET created_at = now() - interval '10 days', expires_at = now() - interval '2 days'
       WHERE family_id IN (SELECT id FROM refresh_token_families WHERE user_id = $1)`,
      [stale.userId],
    );
    await db.query(
      `UPDATE refresh_token_families SET created_at = now() - interval '10 days' WHERE user_id = $1`,
      [stale.userId],
    );
    await request(t.url).get(`${AUTH}/google/url`).expect(200);
    await db.query(
      `UPDATE oauth_states SET created_at = now() - interval '1 hour', expires_at = now() - interval '1 minute'`,
    );

    const purged = await t.get<TokensService>(TokensService).purgeExpired();
    expect(purged.tokens).toBeGreaterThanOrEqual(1);
    expect(purged.families).toBeGreaterThanOrEqual(1);
    expect(purged.states).toBeGreaterThanOrEqual(1);
    const left = await db.query(
      `SELECT user_id FROM refresh_token_families WHERE user_id = ANY($1::uuid[])`,
      [[live.userId, stale.userId]],
    );
    expect(left.rows).toEqual([{ user_id: live.userId }]);
    await request(t.url).get(`${AUTH}/me`).set(live.authHeader).expect(200);
    await request(t.url).get(`${AUTH}/me`).set(stale.authHeader).expect(401);
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM oauth_states WHERE expires_at < now()`))
        .rows[0].n,
    ).toBe(0);
  });
});
