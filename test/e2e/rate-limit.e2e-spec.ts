import { createServer, Server } from 'node:net';
import request from 'supertest';
import { createApiKey, signIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

describe('rate limiting (e2e)', () => {
  describe('with Redis up', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { THROTTLE_LIMIT: '5', THROTTLE_TTL: '60s' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('answers the request over the limit with 429 RATE_LIMITED and Retry-After', async () => {
      const { authHeader } = await signIn(t, 'limited@example.com');
      for (let i = 0; i < 5; i++)
        await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(200);
      const res = await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(429);
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    });

    it('counts each principal separately', async () => {
      const { authHeader } = await signIn(t, 'unlimited@example.com');
      await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(200);
    });

    it('counts a user’s JWT and all of that user’s API keys in one bucket', async () => {
      const { token, authHeader } = await signIn(t, 'one-bucket@example.com');
      // Creating the two keys takes two of the five requests.
      const first = await createApiKey(t, token, ['read']);
      const second = await createApiKey(t, token, ['read']);
      await request(t.url).get('/api/v1/wallet').set('x-api-key', first).expect(200);
      await request(t.url).get('/api/v1/wallet').set('x-api-key', second).expect(200);
      await request(t.url).get('/api/v1/wallet').set(authHeader).expect(200);
      for (const credentials of [{ 'x-api-key': first }, { 'x-api-key': second }, authHeader]) {
        const res = await request(t.url).get('/api/v1/wallet').set(credentials).expect(429);
        expect(res.body.code).toBe('RATE_LIMITED');
      }
    });

    it('counts failed authentications per client address, so guessing keys ends in 429', async () => {
      const from = { 'x-forwarded-for': '203.0.113.50' };
      const { authHeader } = await signIn(t, 'guessed@example.com');
      const guesses = [
        { 'x-api-key': 'sk_live_not-a-key' },
        { 'x-api-key': `sk_live_${'A'.repeat(43)}` },
        { Authorization: 'Bearer not.a.jwt' },
        { Authorization: `${authHeader.Authorization.slice(0, -4)}AAAA` },
        {},
      ];
      for (const guess of guesses)
        await request(t.url).get('/api/v1/wallet').set(from).set(guess).expect(401);
      const res = await request(t.url)
        .get('/api/v1/wallet')
        .set(from)
        .set('x-api-key', `sk_live_${'B'.repeat(43)}`)
        .expect(429);
      expect(res.body).toMatchObject({ status_code: 429, code: 'RATE_LIMITED' });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // A valid credential from the same address is still served, from its user's own bucket.
      await request(t.url).get('/api/v1/wallet').set(from).set(authHeader).expect(200);
      // Another address is not held up by it.
      await request(t.url)
        .get('/api/v1/wallet')
        .set('x-forwarded-for', '203.0.113.51')
        .set('x-api-key', 'sk_live_not-a-key')
        .expect(401);
    });

    it('counts public routes per client address', async () => {
      const from = { 'x-forwarded-for': '203.0.113.60' };
      for (let i = 0; i < 5; i++) await request(t.url).get('/api/v1/health').set(from).expect(200);
      await request(t.url).get('/api/v1/health').set(from).expect(429);
      await request(t.url).get('/api/v1/health').set('x-forwarded-for', '203.0.113.61').expect(200);
    });

    it('shares the counter between two instances through Redis', async () => {
      const second = await createTestApp({
        db: t.db,
        env: {
          THROTTLE_LIMIT: '5',
          THROTTLE_TTL: '60s',
          REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
        },
      });
      try {
        const { authHeader } = await signIn(t, 'two-instances@example.com');
        for (let i = 0; i < 3; i++)
          await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(200);
        for (let i = 0; i < 2; i++)
          await request(second.url).get('/api/v1/auth/me').set(authHeader).expect(200);
        await request(second.url).get('/api/v1/auth/me').set(authHeader).expect(429);
        await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(429);
      } finally {
        await second.app.close();
      }
    });
  });

  describe('with Redis unreachable', () => {
    let t: TestApp;
    let blackhole: Server;

    beforeAll(async () => {
      // A port that accepts nothing: find a free one, then close it.
      blackhole = createServer();
      await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
      const port = (blackhole.address() as { port: number }).port;
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
      t = await createTestApp({
        env: { THROTTLE_LIMIT: '2', REDIS_URL: `redis://127.0.0.1:${port}` },
      });
    });

    afterAll(async () => {
      await t.close();
    });

    it('fails open: requests keep being served past the limit', async () => {
      const { authHeader } = await signIn(t, 'open@example.com');
      for (let i = 0; i < 4; i++)
        await request(t.url).get('/api/v1/auth/me').set(authHeader).expect(200);
    });
  });
});
