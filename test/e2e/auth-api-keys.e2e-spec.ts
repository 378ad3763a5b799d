import pg from 'pg';
import request from 'supertest';
import { createApiKey, signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

const KEYS = '/api/v1/keys';

describe('API keys (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await createTestApp();
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const createKey = (who: SignedIn, body: Record<string, unknown>) =>
    request(t.url).post(KEYS).set(who.authHeader).send(body);

  const expireKey = async (id: string) => {
    await db.query(
      `UPDATE api_keys SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
  };

  it('creates a key shown once, stores only its SHA-256 and lists it with the SPEC fields', async () => {
    const alice = await signIn(t, 'keys-create@example.com');
    const res = await createKey(alice, {
      name: 'checkout',
      permissions: ['read', 'transfer'],
      expiry: '1M',
    }).expect(201);
    const plain: string = res.body.api_key;
    expect(plain).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(res.body.prefix).toBe(plain.slice(0, 'sk_live_'.length + 8));

    const created = new Date(res.body.created_at);
    const expires = new Date(res.body.expires_at);
    const expected = new Date(created);
    expected.setUTCMonth(created.getUTCMonth() + 1);
    if (expected.getUTCDate() !== created.getUTCDate()) expected.setUTCDate(0);
    expect(expires.toISOString()).toBe(expected.toISOString());

    const stored = await db.query(`SELECT key_hash, key_prefix FROM api_keys WHERE id = $1`, [
      res.body.id,
    ]);
    expect(stored.rows[0].key_hash.toString('hex')).toBe(
      (await import('node:crypto')).createHash('sha256').update(plain).digest('hex'),
    );
    const everything = await db.query(`SELECT row_to_json(k)::text AS row FROM api_keys k`);
    for (const row of everything.rows)
      expect(row.row).not.toContain(plain.slice('sk_live_'.length));

    const list = await request(t.url).get(KEYS).set(alice.authHeader).expect(200);
    expect(list.body.next_cursor).toBeNull();
    expect(list.body.keys).toEqual([
      {
        id: res.body.id,
        name: 'checkout',
        prefix: res.body.prefix,
        permissions: ['read', 'transfer'],
        created_at: res.body.created_at,
        expires_at: res.body.expires_at,
        revoked: false,
        expired: false,
        active: true,
        last_used_at: null,
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(plain);
  });

  it('refuses bad names, unknown permissions and unknown expiries with 400 VALIDATION_FAILED', async () => {
    const alice = await signIn(t, 'keys-validation@example.com');
    const res = await createKey(alice, {
      name: '',
      permissions: ['read', 'launch-missiles'],
      expiry: '2W',
    }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(
      expect.arrayContaining(['expiry', 'name', 'permissions']),
    );
    await createKey(alice, { name: 'x', permissions: [], expiry: '1D' }).expect(400);
  });

  it('refuses a sixth active key with 409 API_KEY_LIMIT, and allows one again after a revoke', async () => {
    const alice = await signIn(t, 'keys-limit@example.com');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await createKey(alice, {
        name: `k${i}`,
        permissions: ['read'],
        expiry: '1D',
      }).expect(201);
      ids.push(res.body.id);
    }
    const sixth = await createKey(alice, {
      name: 'k5',
      permissions: ['read'],
      expiry: '1D',
    }).expect(409);
    expect(sixth.body).toMatchObject({ status_code: 409, code: 'API_KEY_LIMIT' });

    await request(t.url).post(`${KEYS}/${ids[0]}/revoke`).set(alice.authHeader).expect(200);
    await createKey(alice, { name: 'k5', permissions: ['read'], expiry: '1D' }).expect(201);
    await createKey(alice, { name: 'k6', permissions: ['read'], expiry: '1D' }).expect(409);
  });

  it('never lets concurrent creations exceed five active keys', async () => {
    const bob = await signIn(t, 'keys-race@example.com');
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        createKey(bob, { name: `race${i}`, permissions: ['read'], expiry: '1H' }),
      ),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const active = await db.query(
      `SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()`,
      [bob.userId],
    );
    expect(active.rows[0].n).toBe(5);
  });

  it('refuses API keys on key management and /auth/me (JWT only) with 403 PERMISSION_DENIED', async () => {
    const carol = await signIn(t, 'keys-perm@example.com');
    const key = await createApiKey(t, carol.token, ['read']);
    // Key management is JWT-only: a key, whatever it holds, is refused.
    const res = await request(t.url).get(KEYS).set('x-api-key', key).expect(403);
    expect(res.body).toMatchObject({ status_code: 403, code: 'PERMISSION_DENIED' });
    const me = await request(t.url).get('/api/v1/auth/me').set('x-api-key', key).expect(403);
    expect(me.body.code).toBe('PERMISSION_DENIED');
  });

  it('answers 401 for a revoked key, an expired key and an unknown key', async () => {
    const dave = await signIn(t, 'keys-dead@example.com');
    const revoked = await createKey(dave, {
      name: 'revoked',
      permissions: ['read'],
      expiry: '1D',
    }).expect(201);
    const revokeRes = await request(t.url)
      .post(`${KEYS}/${revoked.body.id}/revoke`)
      .set(dave.authHeader)
      .expect(200);
    expect(revokeRes.body).toMatchObject({ id: revoked.body.id, revoked: true, active: false });
    const again = await request(t.url)
      .post(`${KEYS}/${revoked.body.id}/revoke`)
      .set(dave.authHeader)
      .expect(200);
    expect(again.body.revoked).toBe(true);

    const expired = await createKey(dave, {
      name: 'expired',
      permissions: ['read'],
      expiry: '1H',
    }).expect(201);
    await expireKey(expired.body.id);

    for (const key of [
      revoked.body.api_key,
      expired.body.api_key,
      `sk_live_${'A'.repeat(43)}`,
      'garbage',
    ]) {
      const res = await request(t.url).get('/api/v1/keys').set('x-api-key', key).expect(401);
      expect(res.body).toMatchObject({ status_code: 401, code: 'UNAUTHENTICATED' });
    }
    const list = await request(t.url).get(KEYS).set(dave.authHeader).expect(200);
    const byId = new Map(list.body.keys.map((k: { id: string }) => [k.id, k]));
    expect(byId.get(expired.body.id)).toMatchObject({
      expired: true,
      revoked: false,
      active: false,
    });
  });

  it('rolls over only an expired key, keeping its name and permissions', async () => {
    const erin = await signIn(t, 'keys-rollover@example.com');
    const live = await createKey(erin, {
      name: 'svc',
      permissions: ['deposit', 'payments'],
      expiry: '1D',
    }).expect(201);
    const notYet = await request(t.url)
      .post(`${KEYS}/rollover`)
      .set(erin.authHeader)
      .send({ expired_key_id: live.body.id, expiry: '1Y' })
      .expect(422);
    expect(notYet.body.code).toBe('API_KEY_NOT_EXPIRED');

    await expireKey(live.body.id);
    const rolled = await request(t.url)
      .post(`${KEYS}/rollover`)
      .set(erin.authHeader)
      .send({ expired_key_id: live.body.id, expiry: '1Y' })
      .expect(201);
    expect(rolled.body).toMatchObject({
      name: 'svc',
      permissions: ['deposit', 'payments'],
      active: true,
    });
    expect(rolled.body.id).not.toBe(live.body.id);
    expect(rolled.body.api_key).not.toBe(live.body.api_key);
    const years =
      new Date(rolled.body.expires_at).getUTCFullYear() -
      new Date(rolled.body.created_at).getUTCFullYear();
    expect(years).toBe(1);
    await request(t.url).get(KEYS).set('x-api-key', live.body.api_key).expect(401);
  });

  it('never rolls over a revoked key, even once it has expired', async () => {
    const fay = await signIn(t, 'keys-revoked-rollover@example.com');
    const leaked = await createKey(fay, {
      name: 'leaked',
      permissions: ['payments'],
      expiry: '1D',
    }).expect(201);
    await request(t.url).post(`${KEYS}/${leaked.body.id}/revoke`).set(fay.authHeader).expect(200);
    await expireKey(leaked.body.id);
    const refused = await request(t.url)
      .post(`${KEYS}/rollover`)
      .set(fay.authHeader)
      .send({ expired_key_id: leaked.body.id, expiry: '1Y' })
      .expect(422);
    expect(refused.body.code).toBe('API_KEY_REVOKED');
    const listed = await request(t.url).get(KEYS).set(fay.authHeader).expect(200);
    expect(listed.body.keys).toHaveLength(1);
  });

  it('treats another user’s key id as 404 for revoke and rollover', async () => {
    const owner = await signIn(t, 'keys-owner@example.com');
    const other = await signIn(t, 'keys-other@example.com');
    const key = await createKey(owner, {
      name: 'mine',
      permissions: ['read'],
      expiry: '1D',
    }).expect(201);
    const revoke = await request(t.url)
      .post(`${KEYS}/${key.body.id}/revoke`)
      .set(other.authHeader)
      .expect(404);
    expect(revoke.body.code).toBe('NOT_FOUND');
    await expireKey(key.body.id);
    await request(t.url)
      .post(`${KEYS}/rollover`)
      .set(other.authHeader)
      .send({ expired_key_id: key.body.id, expiry: '1D' })
      .expect(404);
    await request(t.url).post(`${KEYS}/not-a-uuid/revoke`).set(other.authHeader).expect(404);
    const list = await request(t.url).get(KEYS).set(other.authHeader).expect(200);
    expect(list.body.keys).toEqual([]);
  });

  it('pages the key list with an opaque cursor', async () => {
    const frank = await signIn(t, 'keys-pages@example.com');
    for (let i = 0; i < 3; i++)
      await createKey(frank, { name: `p${i}`, permissions: ['read'], expiry: '1D' }).expect(201);
    const first = await request(t.url).get(`${KEYS}?limit=2`).set(frank.authHeader).expect(200);
    expect(first.body.keys.map((k: { name: string }) => k.name)).toEqual(['p2', 'p1']);
    const second = await request(t.url)
      .get(`${KEYS}?limit=2&cursor=${first.body.next_cursor}`)
      .set(frank.authHeader)
      .expect(200);
    expect(second.body.keys.map((k: { name: string }) => k.name)).toEqual(['p0']);
    expect(second.body.next_cursor).toBeNull();
    await request(t.url).get(`${KEYS}?cursor=nonsense`).set(frank.authHeader).expect(400);
  });

  it('documents every auth and key route with its error responses in the OpenAPI document', async () => {
    const doc = await request(t.url).get('/api/docs-json').expect(200);
    const responses = (path: string, method: string) =>
      Object.keys(doc.body.paths[path][method].responses).sort();
    expect(responses('/api/v1/keys', 'post')).toEqual(['201', '400', '401', '403', '409']);
    expect(responses('/api/v1/keys/rollover', 'post')).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '422',
    ]);
    expect(responses('/api/v1/keys/{id}/revoke', 'post')).toEqual(['200', '401', '403', '404']);
    expect(responses('/api/v1/auth/refresh', 'post')).toEqual(['200', '400', '401']);
    expect(responses('/api/v1/auth/google/callback', 'get')).toEqual(['200', '401', '409', '503']);
    const created = doc.body.components.schemas.CreatedApiKeyDto;
    expect(created.properties.api_key.example).toMatch(/^sk_live_/);
    expect(doc.body.components.schemas.CreateApiKeyDto.required.sort()).toEqual([
      'expiry',
      'name',
      'permissions',
    ]);
  });
});
