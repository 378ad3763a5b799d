import request from 'supertest';
import { SettlementService } from '../../src/modules/payments/settlement/settlement.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  paymentEvents,
  paymentsEnv,
  paymentStatus,
  sql,
  waitFor,
} from './payments.helpers.js';

const API = '/api/v1';

/**
 * SPEC §6: a payment an admin rejected never moves again (reports are recorded, not applied); a
 * second payment succeeding for an order already paid goes to needs_review (ORDER_ALREADY_PAID);
 * callback_url only on an origin in CALLBACK_ALLOWED_ORIGINS.
 */
describe('payments: final means final, one payment per order, allowed callbacks (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let alice: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    t = await createTestApp({
      env: paymentsEnv(paystack, GenericWebhookSender.newSecret(), {
        // FRONTEND_CALLBACK_URL (app.example.com) is allowed by default; this adds one more.
        CORS_ORIGINS: 'https://shop.example.com',
      }),
    });
    alice = await signIn(t, 'final-alice@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const audit = (reference: string) =>
    sql<{ action: string; source: string; from_status: string; to_status: string }>(
      t,
      `SELECT a.action, a.source, a.from_status, a.to_status FROM payment_audit_entries a
         JOIN payments p ON p.id = a.payment_id WHERE p.reference = $1 ORDER BY a.id`,
      [reference],
    );

  const verify = (reference: string) =>
    request(t.url).post(`${API}/payments/${reference}/verify`).set(alice.authHeader);

  it('never moves an admin-rejected payment again: callback, verify, webhook and reconciliation only record what they hear', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference, { amount: 600_000 });
    await verify(created.reference).expect(200);
    expect(await paymentStatus(t, created.reference)).toBe('needs_review');
    await request(t.url)
      .post(`${API}/admin/payments/${created.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'overpaid; refund it' })
      .expect(200);
    expect(await paymentStatus(t, created.reference)).toBe('failed');

    // The anonymous return URL (what moved it back to needs_review before).
    const back = await request(t.url)
      .get(`${API}/payments/callback?reference=${created.reference}`)
      .expect(302);
    expect(new URL(back.headers.location).searchParams.get('status')).toBe('failed');
    expect(await paymentStatus(t, created.reference)).toBe('failed');

    expect((await verify(created.reference).expect(200)).body.status).toBe('failed');

    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(created.reference));
    await waitFor(
      () =>
        sql<{ status: string }>(
          t,
          `SELECT status FROM inbound_webhook_events WHERE reference = $1`,
          [created.reference],
        ),
      (rows) => rows.length === 1 && rows[0].status !== 'received',
    );

    const { id } = (
      await sql<{ id: string }>(t, `SELECT id FROM payments WHERE reference = $1`, [
        created.reference,
      ])
    )[0];
    const reconciled = await t
      .get<SettlementService>(SettlementService)
      .settle(id, { source: 'reconcile', tolerateGatewayErrors: true });
    expect(reconciled.changed).toBe(false);

    const [payment] = await sql<{ status: string; resolution: string; review_reason: string }>(
      t,
      `SELECT status, resolution, review_reason FROM payments WHERE reference = $1`,
      [created.reference],
    );
    expect(payment).toMatchObject({ status: 'failed', resolution: 'rejected' });
    expect(await audit(created.reference)).toEqual([
      { action: 'transition', source: 'verify', from_status: 'pending', to_status: 'needs_review' },
      { action: 'reject', source: 'admin', from_status: 'needs_review', to_status: 'failed' },
      ...['callback', 'verify', 'webhook', 'reconcile'].map((source) => ({
        action: 'contradiction',
        source,
        from_status: 'failed',
        to_status: 'failed',
      })),
    ]);
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  async function orderOf(amount: number): Promise<string> {
    const order = await request(t.url)
      .post(`${API}/orders`)
      .set(alice.authHeader)
      .send({ amount, currency: 'NGN', receipt: `rcpt-${Date.now()}-${Math.random()}` })
      .expect(201);
    return order.body.id as string;
  }

  it('sends a second payment that succeeds for an already paid order to needs_review (ORDER_ALREADY_PAID), and lets an admin resolve it', async () => {
    const orderId = await orderOf(80_000);
    const first = await createPayment(t, alice.authHeader, {
      amount: 80_000,
      currency: 'NGN',
      gateway: 'paystack',
      order_id: orderId,
    });
    const second = await createPayment(t, alice.authHeader, {
      amount: 80_000,
      currency: 'NGN',
      gateway: 'paystack',
      order_id: orderId,
    });
    paystack.markPaid(first.reference);
    paystack.markPaid(second.reference);
    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(first.reference));
    await waitFor(
      () => paymentStatus(t, first.reference),
      (status) => status === 'succeeded',
    );
    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(second.reference));
    await waitFor(
      () => paymentStatus(t, second.reference),
      (status) => status !== 'pending',
    );

    const view = await request(t.url)
      .get(`${API}/payments/${second.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(view.body).toMatchObject({
      status: 'needs_review',
      review_reason: 'ORDER_ALREADY_PAID',
      amount_received: null,
    });
    expect(await paymentEvents(t, second.reference)).toEqual([]);
    const [order] = await sql<{ status: string; paid_by: string }>(
      t,
      `SELECT o.status, p.reference AS paid_by FROM orders o JOIN payments p ON p.id = o.paid_by_payment_id WHERE o.id = $1`,
      [orderId],
    );
    expect(order).toMatchObject({ status: 'paid', paid_by: first.reference });

    const listed = await request(t.url)
      .get(`${API}/admin/payments?status=needs_review`)
      .set(admin.authHeader)
      .expect(200);
    expect(listed.body.payments.map((p: { reference: string }) => p.reference)).toContain(
      second.reference,
    );
    const resolved = await request(t.url)
      .post(`${API}/admin/payments/${second.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'paid twice; refund the second' })
      .expect(200);
    expect(resolved.body).toMatchObject({
      status: 'failed',
      resolution: 'rejected',
      amount_received: 80_000,
    });
    const refunds = await sql<{ amount: string }>(
      t,
      `SELECT r.amount::text AS amount FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.reference = $1`,
      [second.reference],
    );
    expect(refunds).toEqual([{ amount: '80000' }]);
  });

  it('keeps exactly one payment as the order payment when two succeed for it at the same moment', async () => {
    for (let round = 0; round < 4; round++) {
      const orderId = await orderOf(30_000);
      const pair = await Promise.all(
        [0, 1].map(() =>
          createPayment(t, alice.authHeader, {
            amount: 30_000,
            currency: 'NGN',
            gateway: 'paystack',
            order_id: orderId,
          }),
        ),
      );
      for (const payment of pair) paystack.markPaid(payment.reference);
      const answers = await Promise.all(pair.map((payment) => verify(payment.reference)));
      const outcomes = answers
        .map((res) => `${res.status} ${res.body.status} ${res.body.review_reason ?? ''}`.trim())
        .sort();
      expect({ round, outcomes }).toEqual({
        round,
        outcomes: ['200 needs_review ORDER_ALREADY_PAID', '200 succeeded'],
      });
    }
  });

  describe('callback_url', () => {
    it.each([
      ['POST /payments', `${API}/payments`, (url: string) => paymentBody(url)],
      ['POST /wallet/deposit', `${API}/wallet/deposit`, (url: string) => depositBody(url)],
    ])(
      '%s refuses a callback_url off the allowed origins with 422 CALLBACK_URL_NOT_ALLOWED, storing nothing',
      async (_route, path, body) => {
        const before = await sql(t, `SELECT count(*)::int AS n FROM payments`);
        for (const url of [
          'https://evil.example/phish',
          'http://shop.example.com/done', // right host, wrong scheme
          'https://shop.example.com:8443/done', // right host, wrong port
          'https://app.example.com.evil.example/done',
        ]) {
          const res = await request(t.url).post(path).set(alice.authHeader).send(body(url));
          expect({ url, status: res.status, code: res.body.code }).toEqual({
            url,
            status: 422,
            code: 'CALLBACK_URL_NOT_ALLOWED',
          });
          expect(res.body.details).toEqual([
            { field: 'callback_url', message: expect.any(String) },
          ]);
        }
        expect(await sql(t, `SELECT count(*)::int AS n FROM payments`)).toEqual(before);

        // The origins of FRONTEND_CALLBACK_URL and CORS_ORIGINS are allowed by default.
        for (const url of ['https://app.example.com/elsewhere?x=1', 'https://shop.example.com/ok'])
          await request(t.url).post(path).set(alice.authHeader).send(body(url)).expect(201);
      },
    );

    function paymentBody(callbackUrl: string): Record<string, unknown> {
      return {
        amount: 1_000,
        currency: 'NGN',
        email: 'payer@example.com',
        gateway: 'paystack',
        callback_url: callbackUrl,
      };
    }

    function depositBody(callbackUrl: string): Record<string, unknown> {
      return { amount: 1_000, gateway: 'paystack', callback_url: callbackUrl };
    }
  });
});
