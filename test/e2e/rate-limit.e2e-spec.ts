import { createServer, Server } from 'node:net';
import request from 'supertest';
import { signIn } from '../helpers/auth.js';
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
