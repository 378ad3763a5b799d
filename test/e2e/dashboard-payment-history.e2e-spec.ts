import request from 'supertest';
import { createApiKey, signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { createPayment, sql } from './payments.helpers.js';

/** GET /payments/summary and GET /payments/{reference}/audit: owner-scoped, bounded (SPEC §18). */
describe('payments: summary by state and audit trail for the dashboard (e2e)', () => {
  let t: TestApp;
  let ada: SignedIn;
  let bob: SignedIn;
  const references: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        GENERIC_WEBHOOK_SECRET: 'whsec_dGVzdC1nZW5lcmljLXNlY3JldA==',
        GENERIC_CHECKOUT_URL: 'https://checkout.generic.example/pay',
      },
    });
    ada = await signIn(t, 'ada@example.com');
    bob = await signIn(t, 'bob@example.com');
    for (let i = 0; i < 3; i++) {
      const payment = await createPayment(t, ada.authHeader, {
        amount: 1000 + i,
        currency: 'NGN',
        gateway: 'generic',
      });
      references.push(payment.reference);
    }
    await createPayment(t, bob.authHeader, { amount: 5000, currency: 'NGN', gateway: 'generic' });
    // One of Ada's failed (as the settlement path would record it), one from last week.
    await sql(t, `UPDATE payments SET status = 'failed' WHERE reference = $1`, [references[0]]);
    await sql(
      t,
      `INSERT INTO payment_audit_entries (payment_id, action, source, from_status, to_status, note)
       SELECT id, 'transition', 'webhook', 'pending', 'failed', NULL FROM payments WHERE reference = $1`,
      [references[0]],
    );
    await sql(
      t,
      `INSERT INTO payment_audit_entries (payment_id, action, source, actor_user_id, from_status, to_status, note)
       SELECT id, 'contradiction', 'webhook', NULL, 'failed', 'succeeded', 'gateway said success after failure'
       FROM payments WHERE reference = $1`,
      [references[0]],
    );
    await sql(
      t,
      `UPDATE payments SET created_at = now() - interval '7 days' WHERE reference = $1`,
      [references[2]],
    );
  });

  afterAll(async () => {
    await t.close();
  });

  it('counts your payments since an instant by state, nobody else’s', async () => {
    const since = new Date(Date.now() - 86_400_000).toISOString();
    const res = await request(t.url)
      .get('/api/v1/payments/summary')
      .query({ since })
      .set(ada.authHeader)
      .expect(200);
    expect(res.body).toEqual({ since, counts: { failed: 1, pending: 1 }, total: 2 });

    const older = await request(t.url)
      .get('/api/v1/payments/summary')
      .query({ since: new Date(Date.now() - 30 * 86_400_000).toISOString() })
      .set(ada.authHeader)
      .expect(200);
    expect(older.body).toMatchObject({ counts: { failed: 1, pending: 2 }, total: 3 });

    const bobs = await request(t.url)
      .get('/api/v1/payments/summary')
      .query({ since })
      .set(bob.authHeader)
      .expect(200);
    expect(bobs.body).toMatchObject({ counts: { pending: 1 }, total: 1 });
  });

  it('refuses a missing, malformed, future or too old since', async () => {
    for (const since of [
      undefined,
      'yesterday',
      '2026-13-40T00:00:00Z',
      new Date(Date.now() + 3_600_000).toISOString(),
      '2000-01-01T00:00:00Z',
    ]) {
      const res = await request(t.url)
        .get('/api/v1/payments/summary')
        .query(since === undefined ? {} : { since })
        .set(ada.authHeader);
      expect([since, res.status, res.body.code]).toEqual([since, 400, 'VALIDATION_FAILED']);
    }
  });

  it('answers a payment’s audit trail oldest first, to its owner only', async () => {
    const res = await request(t.url)
      .get(`/api/v1/payments/${references[0]}/audit`)
      .set(ada.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ reference: references[0], truncated: false });
    expect(res.body.entries).toEqual([
      expect.objectContaining({
        action: 'transition',
        source: 'webhook',
        from_status: 'pending',
        to_status: 'failed',
        actor: 'system',
        note: null,
      }),
      expect.objectContaining({
        action: 'contradiction',
        to_status: 'succeeded',
        note: 'gateway said success after failure',
      }),
    ]);
    expect(Number(res.body.entries[0].id)).toBeLessThan(Number(res.body.entries[1].id));

    const empty = await request(t.url)
      .get(`/api/v1/payments/${references[1]}/audit`)
      .set(ada.authHeader)
      .expect(200);
    expect(empty.body.entries).toEqual([]);

    const notBobs = await request(t.url)
      .get(`/api/v1/payments/${references[0]}/audit`)
      .set(bob.authHeader)
      .expect(404);
    expect(notBobs.body.code).toBe('NOT_FOUND');
    await request(t.url)
      .get('/api/v1/payments/not-a-reference/audit')
      .set(ada.authHeader)
      .expect(404);
  });

  it('needs the payments permission and a caller', async () => {
    await request(t.url).get('/api/v1/payments/summary?since=2026-01-01T00:00:00Z').expect(401);
    const readOnly = await createApiKey(t, ada.token, ['read']);
    await request(t.url)
      .get(`/api/v1/payments/${references[0]}/audit`)
      .set('x-api-key', readOnly)
      .expect(403);
    const payments = await createApiKey(t, ada.token, ['payments']);
    await request(t.url)
      .get(`/api/v1/payments/${references[0]}/audit`)
      .set('x-api-key', payments)
      .expect(200);
  });
});
