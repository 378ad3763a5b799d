import request from 'supertest';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { FAST_INBOUND_ENV, paymentStatus, sql, waitFor } from './payments.helpers.js';

const API = '/api/v1';
const MERCHANT_ORIGIN = 'https://shop.example.com';

interface OpenApiDoc {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

describe('publishable keys and checkout sessions (SPEC §13)', () => {
  let t: TestApp;
  let merchant: SignedIn;
  let pk: string;

  beforeAll(async () => {
    t = await createTestApp({
      env: { ...FAST_INBOUND_ENV, TEST_MODE: 'true', CHECKOUT_ALLOWED_ORIGINS: MERCHANT_ORIGIN },
    });
    merchant = await signIn(t, 'merchant@example.com');
    const res = await request(t.url).get(`${API}/keys/publishable`).set(merchant.authHeader);
    expect(res.status).toBe(200);
    pk = res.body.key as string;
  });
  afterAll(() => t.close());

  async function newSession(
    body: Record<string, unknown> = { amount: 50_000, currency: 'NGN' },
  ): Promise<{ id: string; url: string; status: string }> {
    const res = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set(merchant.authHeader)
      .send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; url: string; status: string };
  }

  async function session(id: string, key = pk): Promise<Record<string, unknown>> {
    const res = await request(t.url).get(`${API}/checkout/sessions/${id}`).set('x-api-key', key);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  it('answers the same pk_test_ key until it is rolled, and the old key then stops working', async () => {
    expect(pk).toMatch(/^pk_test_[A-Za-z0-9_-]{32}$/);
    const again = await request(t.url).get(`${API}/keys/publishable`).set(merchant.authHeader);
    expect(again.body.key).toBe(pk);
    const other = await signIn(t, 'roller@example.com');
    const first = (await request(t.url).get(`${API}/keys/publishable`).set(other.authHeader)).body
      .key as string;
    const rolled = await request(t.url).post(`${API}/keys/publishable/roll`).set(other.authHeader);
    expect(rolled.status).toBe(200);
    expect(rolled.body.key).not.toBe(first);
    const made = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set(other.authHeader)
      .send({ amount: 100, currency: 'NGN' });
    expect(
      (await request(t.url).get(`${API}/checkout/sessions/${made.body.id}`).set('x-api-key', first))
        .status,
    ).toBe(401);
    expect(
      (
        await request(t.url)
          .get(`${API}/checkout/sessions/${made.body.id}`)
          .set('x-api-key', rolled.body.key as string)
      ).status,
    ).toBe(200);
  });

  it('refuses the publishable key with 401 on every authenticated route but creating and reading checkout sessions', async () => {
    const doc = (await request(t.url).get('/api/docs-json')).body as OpenApiDoc;
    const allowed = new Set([
      'post /api/v1/checkout/sessions',
      'get /api/v1/checkout/sessions/{id}',
    ]);
    const walked: string[] = [];
    const answers: Record<string, number> = {};
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security || operation.security.length === 0) continue;
        const name = `${method} ${path}`;
        if (allowed.has(name)) continue;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const res = await request(t.url)
          [method as 'get' | 'post' | 'put' | 'patch' | 'delete'](url)
          .set('x-api-key', pk)
          .send({});
        answers[name] = res.status;
        walked.push(name);
      }
    }
    expect(walked.length).toBeGreaterThan(30);
    expect(walked).toContain('get /api/v1/wallet/balance');
    expect(walked).toContain('post /api/v1/payments');
    expect(walked).toContain('get /api/v1/test/jobs/status');
    expect(Object.entries(answers).filter(([, status]) => status !== 401)).toEqual([]);
  });

  it('lets a secret credential create a session and the publishable key read it; another owner reads 404', async () => {
    const made = await newSession({ amount: 12_345, currency: 'NGN', email: 'p@example.com' });
    expect(made).toMatchObject({ status: 'open', amount: 12_345, currency: 'NGN' });
    expect(made.url).toMatch(new RegExp(`/api/v1/checkout/${made.id}$`));
    expect(await session(made.id)).toMatchObject({ status: 'open', payment_reference: null });
    const stranger = await signIn(t, 'stranger@example.com');
    const strangerPk = (
      await request(t.url).get(`${API}/keys/publishable`).set(stranger.authHeader)
    ).body.key as string;
    const res = await request(t.url)
      .get(`${API}/checkout/sessions/${made.id}`)
      .set('x-api-key', strangerPk);
    expect(res.status).toBe(404);
  });

  it('answers the same session again for a repeated Idempotency-Key', async () => {
    const send = () =>
      request(t.url)
        .post(`${API}/checkout/sessions`)
        .set(merchant.authHeader)
        .set('Idempotency-Key', 'checkout-session-once')
        .send({ amount: 777, currency: 'NGN' });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    const rows = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM checkout_sessions WHERE amount = 777`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('lets the publishable key create a session only for an unpaid order of its owner', async () => {
    const refused = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set('x-api-key', pk)
      .send({ amount: 100, currency: 'NGN' });
    expect(refused.status).toBe(403);
    const order = await request(t.url)
      .post(`${API}/orders`)
      .set(merchant.authHeader)
      .send({ amount: 4_200, currency: 'NGN', receipt: 'r-1' });
    expect(order.status).toBe(201);
    const made = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set('x-api-key', pk)
      .send({ order_id: order.body.id });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ amount: 4_200, currency: 'NGN', order_id: order.body.id });
  });

  it('starts one payment however many times the payer clicks at once, follows it to complete, and lands the gateway return on the hosted page', async () => {
    const made = await newSession();
    const clicks = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(t.url)
          .post(`${API}/checkout/sessions/${made.id}/payments`)
          .send({ gateway: 'test', email: 'payer@example.com' }),
      ),
    );
    const started = clicks.filter((r) => r.status === 201);
    expect(started).toHaveLength(1);
    expect(clicks.filter((r) => r.status === 409)).toHaveLength(9);
    const payments = await sql<{ reference: string; livemode: boolean }>(
      t,
      `SELECT reference, livemode FROM payments WHERE metadata->>'checkout_session_id' = $1`,
      [made.id],
    );
    expect(payments).toHaveLength(1);
    expect(payments[0].livemode).toBe(false);
    const reference = started[0].body.reference as string;
    expect(await session(made.id)).toMatchObject({
      status: 'processing',
      payment_reference: reference,
      payment_status: 'pending',
    });

    const pay = await request(t.url).post(
      `${new URL(started[0].body.authorization_url as string).pathname}/pay`,
    );
    expect(pay.status).toBe(303);
    const back = await request(t.url).get(
      new URL(pay.headers.location, t.url).pathname + new URL(pay.headers.location, t.url).search,
    );
    expect(back.status).toBe(302);
    expect(back.headers.location).toMatch(
      new RegExp(`/api/v1/checkout/${made.id}\\?reference=${reference}&status=succeeded$`),
    );
    await waitFor(
      () => paymentStatus(t, reference),
      (s) => s === 'succeeded',
    );
    expect(await session(made.id)).toMatchObject({
      status: 'complete',
      payment_status: 'succeeded',
    });
    const again = await request(t.url)
      .post(`${API}/checkout/sessions/${made.id}/payments`)
      .send({ gateway: 'test', email: 'payer@example.com' });
    expect(again.status).toBe(409);
  });

  it('reopens after a failed payment, asks for an email when it has none, and refuses payments once expired', async () => {
    const made = await newSession();
    const noEmail = await request(t.url)
      .post(`${API}/checkout/sessions/${made.id}/payments`)
      .send({ gateway: 'test' });
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.code).toBe('EMAIL_REQUIRED');
    const first = await request(t.url)
      .post(`${API}/checkout/sessions/${made.id}/payments`)
      .send({ gateway: 'test', email: 'payer@example.com' });
    expect(first.status).toBe(201);
    await request(t.url).post(`${new URL(first.body.authorization_url as string).pathname}/fail`);
    await waitFor(
      () => session(made.id),
      (s) => s.payment_status === 'failed',
    );
    expect((await session(made.id)).status).toBe('open');
    await sql(
      t,
      `UPDATE checkout_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [made.id],
    );
    expect((await session(made.id)).status).toBe('expired');
    const late = await request(t.url)
      .post(`${API}/checkout/sessions/${made.id}/payments`)
      .send({ gateway: 'test', email: 'payer@example.com' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('CHECKOUT_SESSION_NOT_OPEN');
  });

  it('answers CORS for the checkout session routes to CHECKOUT_ALLOWED_ORIGINS only', async () => {
    const preflight = await request(t.url)
      .options(`${API}/checkout/sessions`)
      .set('Origin', MERCHANT_ORIGIN)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-api-key');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(MERCHANT_ORIGIN);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-Api-Key/i);
    const elsewhere = await request(t.url)
      .options(`${API}/checkout/sessions`)
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
  });
});
