import request from 'supertest';
import { signIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';

describe('queue dashboard (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses anonymous visitors with 401 in the error shape', async () => {
    const res = await request(t.url).get('/api/v1/admin/queues').expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('refuses a signed-in person who is not an admin with 403', async () => {
    const { authHeader } = await signIn(t, 'not-admin@example.com');
    const res = await request(t.url)
      .get('/api/v1/admin/queues/api/queues')
      .set(authHeader)
      .expect(403);
    expect(res.body.code).toBe('PERMISSION_DENIED');
    await request(t.url).post('/api/v1/admin/queues-session').set(authHeader).expect(403);
  });

  it('answers a cookie that is not valid percent-encoding with 401, not 500', async () => {
    const res = await request(t.url)
      .get('/api/v1/admin/queues')
      .set('Cookie', 'queue_board_token=%E0%A4%A')
      .expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('lists every queue to an admin bearer token', async () => {
    const { authHeader } = await signIn(t, 'admin@example.com');
    const res = await request(t.url)
      .get('/api/v1/admin/queues/api/queues')
      .set(authHeader)
      .expect(200);
    const names = (res.body.queues as { name: string }[]).map((queue) => queue.name).sort();
    expect(names).toEqual([
      'inbound-webhooks',
      'maintenance',
      'notification-emails',
      'notification-relay',
      'payments',
      'payouts',
      'refunds',
      'webhook-deliveries',
      'webhook-relay',
    ]);
  });

  it('serves the dashboard page to a browser holding the admin session cookie', async () => {
    const { authHeader } = await signIn(t, 'admin@example.com');
    const session = await request(t.url)
      .post('/api/v1/admin/queues-session')
      .set(authHeader)
      .expect(204);
    const cookie = (session.headers['set-cookie'] as unknown as string[])[0];
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/api\/v1\/admin\/queues/);
    const page = await request(t.url)
      .get('/api/v1/admin/queues')
      .set('Cookie', cookie.split(';')[0])
      .expect(200);
    expect(page.text).toContain('Payments queues');
  });
});
