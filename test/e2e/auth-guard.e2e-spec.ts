import { Controller, Get } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import request from 'supertest';
import {
  AdminOnly,
  CurrentPrincipal,
  Public,
  RequirePermission,
} from '../../src/common/auth/auth.decorators.js';
import type { Principal } from '../../src/common/auth/principal.js';
import { createApiKey, signIn } from '../helpers/auth.js';
import { createTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-env.js';

@Controller('guard-probe')
class GuardProbeController {
  @Get('read')
  @RequirePermission('read')
  read(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('transfer')
  @RequirePermission('transfer')
  transfer(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('plain')
  plain(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('admin')
  @AdminOnly()
  admin(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('public')
  @Public()
  open(): { ok: true } {
    return { ok: true };
  }
}

const PROBE = '/api/v1/guard-probe';

describe('auth guard (e2e)', () => {
  let t: TestApp;
  let db: pg.Client;

  beforeAll(async () => {
    t = await createTestApp({ controllers: [GuardProbeController] });
    db = new pg.Client({ connectionString: t.db.url });
    await db.connect();
  });

  afterAll(async () => {
    await db.end();
    await t.close();
  });

  it('answers a request without credentials with 401 in the SPEC error shape', async () => {
    const res = await request(t.url)
      .get(`${PROBE}/read`)
      .set('X-Request-Id', 'guard-missing-1')
      .expect(401);
    expect(res.body).toEqual({
      status_code: 401,
      code: 'UNAUTHENTICATED',
      message: expect.any(String),
      details: [],
      request_id: 'guard-missing-1',
    });
  });

  it('lets public routes through without credentials', async () => {
    await request(t.url).get(`${PROBE}/public`).expect(200, { ok: true });
  });

  it('gives a JWT every permission and identifies the user', async () => {
    const user = await signIn(t, 'guard-jwt@example.com');
    for (const route of ['read', 'transfer', 'plain']) {
      const res = await request(t.url).get(`${PROBE}/${route}`).set(user.authHeader).expect(200);
      expect(res.body).toMatchObject({ userId: user.userId, via: 'jwt', isAdmin: false });
    }
  });

  it('refuses tampered, foreign-signed, unsigned, expired and malformed JWTs with 401', async () => {
    const user = await signIn(t, 'guard-tamper@example.com');
    const other = await signIn(t, 'guard-victim@example.com');
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));

    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: other.userId })).toString(
      'base64url',
    );
    const tampered = `${header}.${swapped}.${signature}`;
    const { exp: _exp, iat: _iat, ...unsignedClaims } = claims;
    const foreign = new JwtService({ secret: 'another-secret-of-sufficient-length-000000' }).sign(
      unsignedClaims,
      {
        expiresIn: 600,
      },
    );
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const expired = new JwtService({ secret: TEST_JWT_SECRET }).sign({
      ...claims,
      iat: claims.iat - 3600,
      exp: claims.iat - 60,
    });
    for (const token of [tampered, foreign, unsigned, expired, 'not-a-jwt']) {
      const res = await request(t.url)
        .get(`${PROBE}/read`)
        .set('Authorization', `Bearer ${token}`)
        .expect(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    }
    await request(t.url)
      .get(`${PROBE}/read`)
      .set('Authorization', `Basic ${user.token}`)
      .expect(401);
    // The untouched token still works: the 401s were about the changes.
    await request(t.url).get(`${PROBE}/read`).set(user.authHeader).expect(200);
  });

  it('limits an API key to its permissions and refuses it on routes that name none', async () => {
    const user = await signIn(t, 'guard-key@example.com');
    const key = await createApiKey(t, user.token, ['read']);
    const ok = await request(t.url).get(`${PROBE}/read`).set('x-api-key', key).expect(200);
    expect(ok.body).toMatchObject({
      userId: user.userId,
      via: 'api_key',
      permissions: ['read'],
      isAdmin: false,
    });

    const denied = await request(t.url).get(`${PROBE}/transfer`).set('x-api-key', key).expect(403);
    expect(denied.body).toMatchObject({ status_code: 403, code: 'PERMISSION_DENIED' });
    await request(t.url).get(`${PROBE}/plain`).set('x-api-key', key).expect(403);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const user = await signIn(t, 'guard-lastused@example.com');
    const key = await createApiKey(t, user.token, ['read']);
    await request(t.url).get(`${PROBE}/read`).set('x-api-key', key).expect(200);
    const first = await db.query(`SELECT last_used_at FROM api_keys WHERE user_id = $1`, [
      user.userId,
    ]);
    expect(first.rows[0].last_used_at).toBeInstanceOf(Date);

    await request(t.url).get(`${PROBE}/read`).set('x-api-key', key).expect(200);
    const second = await db.query(`SELECT last_used_at FROM api_keys WHERE user_id = $1`, [
      user.userId,
    ]);
    expect(second.rows[0].last_used_at).toEqual(first.rows[0].last_used_at);

    await db.query(
      `UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE user_id = $1`,
      [user.userId],
    );
    await request(t.url).get(`${PROBE}/read`).set('x-api-key', key).expect(200);
    const third = await db.query(
      `SELECT last_used_at > now() - interval '1 minute' AS fresh FROM api_keys WHERE user_id = $1`,
      [user.userId],
    );
    expect(third.rows[0].fresh).toBe(true);
    const listed = await request(t.url).get('/api/v1/keys').set(user.authHeader).expect(200);
    expect(listed.body.keys[0].last_used_at).toEqual(expect.any(String));
  });

  it('admits only JWTs of ADMIN_EMAILS people to admin routes, never an API key', async () => {
    const admin = await signIn(t, 'Admin@Example.com');
    const res = await request(t.url).get(`${PROBE}/admin`).set(admin.authHeader).expect(200);
    expect(res.body.isAdmin).toBe(true);

    const person = await signIn(t, 'guard-nonadmin@example.com');
    const denied = await request(t.url).get(`${PROBE}/admin`).set(person.authHeader).expect(403);
    expect(denied.body.code).toBe('PERMISSION_DENIED');

    const adminKey = await createApiKey(t, admin.token, [
      'read',
      'transfer',
      'deposit',
      'payments',
      'refunds',
      'webhooks',
    ]);
    const keyDenied = await request(t.url)
      .get(`${PROBE}/admin`)
      .set('x-api-key', adminKey)
      .expect(403);
    expect(keyDenied.body.code).toBe('PERMISSION_DENIED');
  });
});
