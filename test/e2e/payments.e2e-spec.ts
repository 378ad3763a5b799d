import request from 'supertest';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, SignedIn } from '../helpers/auth.js';
import { createTestApp, TestApp } from '../helpers/test-env.js';
import {
  createPayment,
  eventStatus,
  paymentEvents,
  paymentsEnv,
  paymentStatus,
  sql,
  transitions,
  waitFor,
} from './payments.helpers.js';

describe('payments and orders (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let generic: GenericWebhookSender;
  let alice: SignedIn;
  let bob: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    generic = new GenericWebhookSender(GenericWebhookSender.newSecret());
    t = await createTestApp({
      env: paymentsEnv(paystack, generic.secret, {
        CALLBACK_ALLOWED_ORIGINS: 'https://shop.example.com,https://app.example.com',
      }),
    });
    alice = await signIn(t, 'alice@example.com');
    bob = await signIn(t, 'bob@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t.close();
    await paystack.stop();
  });

  it('creates a pending Paystack payment whose checkout comes from Paystack, then settles it from the signed charge.success webhook', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    expect(created).toMatchObject({
      gateway: 'paystack',
      status: 'pending',
      amount: 500_000,
      currency: 'NGN',
    });
    expect(created.reference).toMatch(/^PAY-\d{14}-[A-Z0-9]{8}$/);
    const tx = paystack.transaction(created.reference);
    expect(created.authorization_url).toBe(`${paystack.url}/checkout/${tx.accessCode}`);

    paystack.markPaid(created.reference);
    const sent = await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(created.reference));
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'succeeded',
      amount_received: 500_000,
      amount_refunded: 0,
      refund_status: 'none',
    });
    expect(res.body.settled_at).not.toBeNull();
    const events = await paymentEvents(t, created.reference);
    expect(events.map((event) => event.type)).toEqual(['payment.success']);
    const outbox = await sql<{ data: Record<string, unknown> }>(
      t,
      `SELECT data FROM events WHERE data->>'reference' = $1`,
      [created.reference],
    );
    expect(outbox[0].data).toEqual(res.body);
  });

  it('answers a missing or wrong Paystack signature with 401 INVALID_SIGNATURE and stores nothing', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 1_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference);
    const event = paystack.chargeSuccessEvent(created.reference);
    const before = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM inbound_webhook_events`,
    );

    const missing = await paystack.sendWebhook(t.url, event, { signature: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const forged = await paystack.sendWebhook(t.url, event, {
      secret: 'sk_test_not_the_right_key',
    });
    expect(forged.status).toBe(401);
    const garbage = await paystack.sendWebhook(t.url, event, { signature: 'abc' });
    expect(garbage.status).toBe(401);

    const after = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM inbound_webhook_events`,
    );
    expect(after[0].n).toBe(before[0].n);
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it('answers a missing, forged or stale generic signature with 401 and stores nothing', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 2_000,
      currency: 'USD',
      gateway: 'generic',
    });
    const event = {
      transaction_id: created.reference,
      status: 'completed' as const,
      amount: 2_000,
      currency: 'USD',
    };
    expect((await generic.send(t.url, event, { unsigned: true })).status).toBe(401);
    expect(
      (await generic.send(t.url, event, { secret: GenericWebhookSender.newSecret() })).status,
    ).toBe(401);
    expect(
      (await generic.send(t.url, event, { timestamp: new Date(Date.now() - 10 * 60_000) })).status,
    ).toBe(401);
    const stored = await sql(t, `SELECT 1 FROM inbound_webhook_events WHERE reference = $1`, [
      created.reference,
    ]);
    expect(stored).toHaveLength(0);
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it('builds the generic checkout URL and settles from the signed generic event itself', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 7_500,
      currency: 'USD',
      gateway: 'generic',
    });
    const url = new URL(created.authorization_url);
    expect(`${url.origin}${url.pathname}`).toBe('https://checkout.generic.example/pay');
    expect(url.searchParams.get('reference')).toBe(created.reference);
    expect(url.searchParams.get('amount')).toBe('7500');
    expect(url.searchParams.get('currency')).toBe('USD');
    expect(url.searchParams.get('return_url')).toContain(
      `/api/v1/payments/callback?reference=${created.reference}`,
    );

    const sent = await generic.send(t.url, {
      transaction_id: created.reference,
      payment_id: 'gen_1',
      status: 'completed',
      amount: 7_500,
      currency: 'USD',
    });
    expect(sent).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );
  });

  it('records a failure that arrives after success without applying it', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 3_000,
      currency: 'USD',
      gateway: 'generic',
    });
    await generic.send(t.url, {
      transaction_id: created.reference,
      status: 'completed',
      amount: 3_000,
      currency: 'USD',
    });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const late = await generic.send(
      t.url,
      { transaction_id: created.reference, status: 'failed', amount: 3_000, currency: 'USD' },
      { id: 'msg_late_failure' },
    );
    expect(late.status).toBe(200);
    await waitFor(
      () => eventStatus(t, 'generic', 'msg_late_failure'),
      (status) => status === 'ignored',
    );

    expect(await paymentStatus(t, created.reference)).toBe('succeeded');
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);
    const contradictions = await sql(
      t,
      `SELECT a.from_status, a.to_status FROM payment_audit_entries a JOIN payments p ON p.id = a.payment_id
        WHERE p.reference = $1 AND a.action = 'contradiction'`,
      [created.reference],
    );
    expect(contradictions).toEqual([{ from_status: 'succeeded', to_status: 'succeeded' }]);
  });

  it('fails a pending payment when its gateway reports failure, and emits payment.failed', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 4_000,
      currency: 'USD',
      gateway: 'generic',
    });
    await generic.send(t.url, {
      transaction_id: created.reference,
      status: 'failed',
      amount: 4_000,
      currency: 'USD',
    });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'failed',
    );
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  it.each([
    ['amount', { amount: 400_000 }],
    ['currency', { currency: 'USD' }],
  ])(
    'sends a Paystack payment whose verified %s differs from the request to needs_review, never paid',
    async (_, reported) => {
      const created = await createPayment(t, alice.authHeader, {
        amount: 500_000,
        currency: 'NGN',
        gateway: 'paystack',
      });
      paystack.markPaid(created.reference, reported);
      await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(created.reference));
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'needs_review',
      );

      const res = await request(t.url)
        .get(`/api/v1/payments/${created.reference}`)
        .set(alice.authHeader)
        .expect(200);
      expect(res.body.amount_received).toBeNull();
      expect(res.body.settled_at).toBeNull();
      expect(res.body.review_reason).toMatch(
        _ === 'amount' ? /amount 400000 instead of 500000/ : /currency USD instead of NGN/,
      );
      expect(await paymentEvents(t, created.reference)).toEqual([]);

      // a later verify cannot move it
      await request(t.url)
        .post(`/api/v1/payments/${created.reference}/verify`)
        .set(alice.authHeader)
        .expect(200);
      expect(await paymentStatus(t, created.reference)).toBe('needs_review');
    },
  );

  it('lets an admin accept a needs_review payment for what the gateway received, recording who and when', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference, { amount: 450_000 });
    await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    expect(await paymentStatus(t, created.reference)).toBe('needs_review');

    const listed = await request(t.url)
      .get('/api/v1/admin/payments?status=needs_review')
      .set(admin.authHeader)
      .expect(200);
    expect(listed.body.payments.map((p: { reference: string }) => p.reference)).toContain(
      created.reference,
    );

    const res = await request(t.url)
      .post(`/api/v1/admin/payments/${created.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'accept', note: 'payer confirmed the short payment' })
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'succeeded',
      amount_received: 450_000,
      resolution: 'accepted',
      resolved_by: admin.userId,
    });
    const decisions = await sql(
      t,
      `SELECT a.action, a.actor_user_id, a.from_status, a.to_status, a.note FROM payment_audit_entries a
         JOIN payments p ON p.id = a.payment_id WHERE p.reference = $1 AND a.action IN ('accept', 'reject')`,
      [created.reference],
    );
    expect(decisions).toEqual([
      {
        action: 'accept',
        actor_user_id: admin.userId,
        from_status: 'needs_review',
        to_status: 'succeeded',
        note: 'payer confirmed the short payment',
      },
    ]);
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);

    const again = await request(t.url)
      .post(`/api/v1/admin/payments/${created.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'second thoughts' })
      .expect(422);
    expect(again.body.code).toBe('PAYMENT_NOT_IN_REVIEW');
  });

  it('lets an admin reject a needs_review payment: failed, with what was received kept for the refund', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 500_000,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.markPaid(created.reference, { amount: 600_000 });
    await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    const res = await request(t.url)
      .post(`/api/v1/admin/payments/${created.reference}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'overpaid; refund' })
      .expect(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      resolution: 'rejected',
      amount_received: 600_000,
      reported_amount: 600_000,
    });
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  it('refuses admin routes to non-admins with 403 PERMISSION_DENIED', async () => {
    const res = await request(t.url)
      .get('/api/v1/admin/payments?status=needs_review')
      .set(alice.authHeader)
      .expect(403);
    expect(res.body.code).toBe('PERMISSION_DENIED');
    await request(t.url)
      .get('/api/v1/admin/webhook-events?status=unmatched')
      .set(alice.authHeader)
      .expect(403);
  });

  it("answers another user's payment with 404, on read and on verify", async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 1_234,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(bob.authHeader)
      .expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(bob.authHeader)
      .expect(404);
    await request(t.url)
      .get(`/api/v1/payments/PAY-20260101000000-NOPE0000`)
      .set(alice.authHeader)
      .expect(404);
  });

  it('refuses a currency Paystack does not support with 422 CURRENCY_NOT_SUPPORTED before calling it', async () => {
    const before = paystack.callCount('POST /transaction/initialize');
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({ amount: 1_000, currency: 'EUR', email: 'payer@example.com', gateway: 'paystack' })
      .expect(422);
    expect(res.body.code).toBe('CURRENCY_NOT_SUPPORTED');
    expect(paystack.callCount('POST /transaction/initialize')).toBe(before);
  });

  it('refuses a gateway that is not configured with 422 GATEWAY_DISABLED', async () => {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({ amount: 1_000, currency: 'USD', email: 'payer@example.com', gateway: 'stripe' })
      .expect(422);
    expect(res.body.code).toBe('GATEWAY_DISABLED');
  });

  it('validates the payment request field by field', async () => {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({ amount: 10.5, currency: 'ngn', email: 'nope', gateway: 'cash' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'amount',
      'currency',
      'email',
      'gateway',
    ]);
  });

  it('verifies on demand through POST and GET and settles a paid payment once', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 9_900,
      currency: 'GHS',
      gateway: 'paystack',
    });
    const pending = await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    expect(pending.body.status).toBe('pending');
    paystack.markPaid(created.reference);
    const paid = await request(t.url)
      .get(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    expect(paid.body).toMatchObject({ status: 'succeeded', amount_received: 9_900 });
    await request(t.url)
      .post(`/api/v1/payments/${created.reference}/verify`)
      .set(alice.authHeader)
      .expect(200);
    expect(await transitions(t, created.reference)).toEqual([
      { from_status: 'pending', to_status: 'succeeded', source: 'verify' },
    ]);
  });

  it('answers 503 GATEWAY_UNAVAILABLE on verify while Paystack is failing, leaving the payment pending', async () => {
    const created = await createPayment(t, alice.authHeader, {
      amount: 1_500,
      currency: 'NGN',
      gateway: 'paystack',
    });
    paystack.fault = 'error500';
    try {
      const res = await request(t.url)
        .post(`/api/v1/payments/${created.reference}/verify`)
        .set(alice.authHeader)
        .expect(503);
      expect(res.body.code).toBe('GATEWAY_UNAVAILABLE');
    } finally {
      paystack.fault = 'ok';
    }
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it("redirects the payer from the public callback to the payment's callback_url, or FRONTEND_CALLBACK_URL, with reference and status", async () => {
    const own = await createPayment(t, alice.authHeader, {
      amount: 2_500,
      currency: 'NGN',
      gateway: 'paystack',
      callback_url: 'https://shop.example.com/done?cart=9',
    });
    paystack.markPaid(own.reference);
    const first = await request(t.url)
      .get(`/api/v1/payments/callback?reference=${own.reference}`)
      .expect(302);
    const location = new URL(first.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe('https://shop.example.com/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      cart: '9',
      reference: own.reference,
      status: 'succeeded',
    });

    const plain = await createPayment(t, alice.authHeader, {
      amount: 2_500,
      currency: 'NGN',
      gateway: 'paystack',
    });
    const second = await request(t.url)
      .get(`/api/v1/payments/callback?reference=${plain.reference}`)
      .expect(302);
    expect(second.headers.location).toBe(
      `https://app.example.com/payments/done?reference=${plain.reference}&status=pending`,
    );

    await request(t.url)
      .get('/api/v1/payments/callback?reference=PAY-20260101000000-NOPE0000')
      .expect(404);
  });

  it('lists your own payments newest first with an opaque cursor and filters', async () => {
    const carol = await signIn(t, 'carol@example.com');
    const made: string[] = [];
    for (let i = 0; i < 5; i++)
      made.push(
        (
          await createPayment(t, carol.authHeader, {
            amount: 100 + i,
            currency: 'USD',
            gateway: 'generic',
          })
        ).reference,
      );
    await generic.send(t.url, {
      transaction_id: made[0],
      status: 'completed',
      amount: 100,
      currency: 'USD',
    });
    await waitFor(
      () => paymentStatus(t, made[0]),
      (status) => status === 'succeeded',
    );

    const first = await request(t.url)
      .get('/api/v1/payments?limit=2')
      .set(carol.authHeader)
      .expect(200);
    expect(first.body.payments.map((p: { reference: string }) => p.reference)).toEqual([
      made[4],
      made[3],
    ]);
    expect(typeof first.body.next_cursor).toBe('string');
    const second = await request(t.url)
      .get(`/api/v1/payments?limit=2&cursor=${first.body.next_cursor}`)
      .set(carol.authHeader)
      .expect(200);
    expect(second.body.payments.map((p: { reference: string }) => p.reference)).toEqual([
      made[2],
      made[1],
    ]);
    const third = await request(t.url)
      .get(`/api/v1/payments?limit=2&cursor=${second.body.next_cursor}`)
      .set(carol.authHeader)
      .expect(200);
    expect(third.body.payments.map((p: { reference: string }) => p.reference)).toEqual([made[0]]);
    expect(third.body.next_cursor).toBeNull();

    const succeeded = await request(t.url)
      .get('/api/v1/payments?status=succeeded')
      .set(carol.authHeader)
      .expect(200);
    expect(succeeded.body.payments.map((p: { reference: string }) => p.reference)).toEqual([
      made[0],
    ]);
    const viaPaystack = await request(t.url)
      .get('/api/v1/payments?gateway=paystack')
      .set(carol.authHeader)
      .expect(200);
    expect(viaPaystack.body.payments).toEqual([]);
    await request(t.url).get('/api/v1/payments?limit=101').set(carol.authHeader).expect(400);
    await request(t.url)
      .get('/api/v1/payments?cursor=bm90LWEtY3Vyc29y')
      .set(carol.authHeader)
      .expect(400);
  });

  it('marks an order paid when a payment for its full amount succeeds, and refuses a payment in another currency', async () => {
    const order = await request(t.url)
      .post('/api/v1/orders')
      .set(alice.authHeader)
      .send({ amount: 80_000, currency: 'NGN', receipt: 'rcpt_1001' })
      .expect(201);
    expect(order.body).toMatchObject({
      status: 'created',
      amount: 80_000,
      currency: 'NGN',
      receipt: 'rcpt_1001',
      paid_at: null,
    });

    const wrong = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount: 80_000,
        currency: 'USD',
        email: 'payer@example.com',
        gateway: 'paystack',
        order_id: order.body.id,
      })
      .expect(422);
    expect(wrong.body.code).toBe('ORDER_CURRENCY_MISMATCH');

    const payment = await createPayment(t, alice.authHeader, {
      amount: 80_000,
      currency: 'NGN',
      gateway: 'paystack',
      order_id: order.body.id,
    });
    paystack.markPaid(payment.reference);
    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(payment.reference));
    await waitFor(
      () => paymentStatus(t, payment.reference),
      (status) => status === 'succeeded',
    );

    const paid = await request(t.url)
      .get(`/api/v1/orders/${order.body.id}`)
      .set(alice.authHeader)
      .expect(200);
    expect(paid.body.status).toBe('paid');
    expect(paid.body.paid_at).not.toBeNull();
    await request(t.url).get(`/api/v1/orders/${order.body.id}`).set(bob.authHeader).expect(404);
  });
});
