import request from 'supertest';
import { FakeStripe } from '../fakes/fake-stripe.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { ReconciliationService } from '../../src/modules/payments/reconciliation/reconciliation.service.js';
import { PaymentCaptureService } from '../../src/modules/payments/capture/payment-capture.service.js';
import { gatewayTestApp } from './gateway.helpers.js';
import {
  eventStatus,
  paymentEvents,
  paymentStatus,
  reconcileDue,
  sql,
  waitFor,
} from './payments.helpers.js';

/**
 * Authorize now, capture later (SPEC §15) through Stripe Checkout with
 * `payment_intent_data[capture_method]=manual`: the fake speaks Stripe's wire format for the
 * hold (`requires_capture`), the capture and the cancel of the payment intent.
 */
describe('manual capture through Stripe (e2e)', () => {
  const app = gatewayTestApp(() => new FakeStripe().start(), 'alice.capture@example.com', {
    // Paystack is configured (and never reached): it supports no manual capture.
    env: { PAYSTACK_SECRET_KEY: 'sk_test_capture_0123', PAYSTACK_BASE_URL: 'http://127.0.0.1:9' },
  });
  let t: TestApp;
  let stripe: FakeStripe;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: stripe, alice } = app());
  });

  const captures = (intentId: string): number =>
    stripe.server.count('POST', new RegExp(`^/v1/payment_intents/${intentId}/capture$`));
  const cancels = (intentId: string): number =>
    stripe.server.count('POST', new RegExp(`^/v1/payment_intents/${intentId}/cancel$`));

  /** A manual Stripe payment the payer has authorized, settled to `authorized` by its webhook. */
  async function authorizedPayment(amount = 10_000) {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount,
        currency: 'USD',
        gateway: 'stripe',
        email: 'payer@example.com',
        capture: 'manual',
      })
      .expect(201);
    expect(res.body).toMatchObject({ status: 'pending', capture: 'manual' });
    const reference = res.body.reference as string;
    const sessionId = stripe.sessionByReference(reference).id as string;
    const intent = stripe.pay(sessionId);
    expect(intent).toMatchObject({ status: 'requires_capture', amount_capturable: amount });
    const sent = await stripe.sendWebhook(
      t.url,
      stripe.paymentIntentEvent('payment_intent.amount_capturable_updated', sessionId),
    );
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'authorized',
    );
    return { reference, sessionId, intentId: intent.id as string };
  }

  function capture(reference: string, body: Record<string, unknown> = {}, key?: string) {
    const req = request(t.url).post(`/api/v1/payments/${reference}/capture`).set(alice.authHeader);
    if (key) void req.set('Idempotency-Key', key);
    return req.send(body);
  }

  async function ledgerClean(): Promise<void> {
    const admin = await signIn(t, 'admin@example.com');
    const res = await request(t.url)
      .get('/api/v1/admin/ledger/check')
      .set(admin.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, problems: [] });
  }

  it('authorizes without crediting, captures part, and settles succeeded for that part; a second capture is 409', async () => {
    const { reference, intentId } = await authorizedPayment(10_000);
    const held = await request(t.url)
      .get(`/api/v1/payments/${reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(held.body).toMatchObject({
      status: 'authorized',
      amount_authorized: 10_000,
      amount_received: null,
      settled_at: null,
    });
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual(['payment.authorized']);

    const captured = await capture(reference, { amount: 6_000 }).expect(200);
    expect(captured.body).toMatchObject({
      status: 'succeeded',
      amount_received: 6_000,
      amount_authorized: 10_000,
    });
    expect(stripe.intentOf(stripe.sessionByReference(reference).id as string)).toMatchObject({
      status: 'succeeded',
      amount_received: 6_000,
    });
    expect(captures(intentId)).toBe(1);

    const again = await capture(reference, { amount: 1_000 }).expect(409);
    expect(again.body).toMatchObject({ code: 'PAYMENT_NOT_CAPTURABLE' });
    expect(captures(intentId)).toBe(1);
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.success',
    ]);
    await ledgerClean();
  });

  it('settles the checkout.session.completed of a manual session as authorized, not paid', async () => {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount: 2_500,
        currency: 'USD',
        gateway: 'stripe',
        email: 'p@example.com',
        capture: 'manual',
      })
      .expect(201);
    const sessionId = stripe.sessionByReference(res.body.reference).id as string;
    stripe.pay(sessionId);
    expect(stripe.sessionByReference(res.body.reference)).toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
    });
    const event = stripe.checkoutCompletedEvent(sessionId);
    await stripe.sendWebhook(t.url, event);
    await waitFor(
      () => eventStatus(t, 'stripe', event.id as string),
      (status) => status === 'processed',
    );
    expect(await paymentStatus(t, res.body.reference)).toBe('authorized');
  });

  it('refuses a capture above the authorized amount with 422 and captures nothing', async () => {
    const { reference, intentId } = await authorizedPayment(5_000);
    const res = await capture(reference, { amount: 5_001 }).expect(422);
    expect(res.body).toMatchObject({ code: 'CAPTURE_EXCEEDS_AUTHORIZED' });
    expect(captures(intentId)).toBe(0);
    expect(await paymentStatus(t, reference)).toBe('authorized');
    // nothing is left under way: the whole amount can still be captured
    await capture(reference).expect(200);
    expect(await paymentStatus(t, reference)).toBe('succeeded');
  });

  it('replays a capture retried with its Idempotency-Key: one capture at the gateway', async () => {
    const { reference, intentId } = await authorizedPayment(8_000);
    const first = await capture(reference, { amount: 3_000 }, `cap-${reference}`).expect(200);
    const replay = await capture(reference, { amount: 3_000 }, `cap-${reference}`).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(replay.body).toMatchObject({ status: 'succeeded', amount_received: 3_000 });
    expect(captures(intentId)).toBe(1);
  });

  it('settles a capture whose reply was lost from what Stripe then reports: one capture', async () => {
    const { reference, sessionId, intentId } = await authorizedPayment(7_000);
    stripe.server.loseReplyNext(2_500, 1, (req) => req.path.endsWith('/capture'));
    const res = await capture(reference, { amount: 4_000 }, `lost-${reference}`).expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 4_000 });
    expect(captures(intentId)).toBe(1);
    expect(stripe.intentOf(sessionId)).toMatchObject({
      status: 'succeeded',
      amount_received: 4_000,
    });
    const replay = await capture(reference, { amount: 4_000 }, `lost-${reference}`).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(captures(intentId)).toBe(1);
  });

  it('resumes, on a retry with the same Idempotency-Key, a capture left unanswered: Stripe replays it, nothing is captured twice', async () => {
    const { reference, sessionId, intentId } = await authorizedPayment(7_000);
    // The capture is carried out but its reply lost, and Stripe cannot be asked right after.
    stripe.server.loseReplyNext(2_500, 1, (req) => req.path.endsWith('/capture'));
    stripe.server.failNext(503, 1, (req) => req.method === 'GET');
    const first = await capture(reference, { amount: 2_500 }, `retry-${reference}`).expect(503);
    expect(first.body.code).toBe('GATEWAY_UNAVAILABLE');
    expect(await paymentStatus(t, reference)).toBe('authorized');
    // anyone else meanwhile finds the capture under way
    expect((await capture(reference, { amount: 2_500 }).expect(409)).body.code).toBe(
      'PAYMENT_NOT_CAPTURABLE',
    );

    const retried = await capture(reference, { amount: 2_500 }, `retry-${reference}`).expect(200);
    expect(retried.body).toMatchObject({ status: 'succeeded', amount_received: 2_500 });
    const sent = stripe.server.calls.filter((call) => call.path.endsWith(`${intentId}/capture`));
    expect(sent).toHaveLength(2);
    expect(new Set(sent.map((call) => call.headers['idempotency-key'])).size).toBe(1);
    expect(stripe.intentOf(sessionId)).toMatchObject({
      status: 'succeeded',
      amount_received: 2_500,
    });
    expect(
      (await paymentEvents(t, reference)).filter((e) => e.type === 'payment.success'),
    ).toHaveLength(1);
    await ledgerClean();
  });

  it("settles once when Stripe's payment_intent.succeeded races the capture's own answer", async () => {
    const { reference, sessionId } = await authorizedPayment(5_000);
    // Stripe captures at once but its answer takes a second: the webhook gets in first.
    stripe.server.loseReplyNext(1_000, 1, (req) => req.path.endsWith('/capture'));
    const answer = capture(reference, { amount: 3_000 }).then((res) => res); // sent now
    await waitFor(
      async () => stripe.intentOf(sessionId).status,
      (status) => status === 'succeeded',
    );
    const event = stripe.paymentIntentEvent('payment_intent.succeeded', sessionId);
    await stripe.sendWebhook(t.url, event);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 3_000 });
    await waitFor(
      () => eventStatus(t, 'stripe', event.id as string),
      (status) => status === 'processed',
    );
    expect(
      (await paymentEvents(t, reference)).filter((e) => e.type === 'payment.success'),
    ).toHaveLength(1);
    const [row] = await sql<{ status: string; amount_received: string }>(
      t,
      `SELECT status, amount_received FROM payments WHERE reference = $1`,
      [reference],
    );
    expect(row).toEqual({ status: 'succeeded', amount_received: '3000' });
  });

  it('finishes, through reconciliation, a capture whose request died unanswered', async () => {
    const { reference, sessionId, intentId } = await authorizedPayment(6_000);
    // The capture never gets through, and Stripe cannot be asked right after.
    stripe.server.hangNext(2_500, 1, (req) => req.path.endsWith('/capture'));
    stripe.server.failNext(503, 1, (req) => req.method === 'GET');
    await capture(reference, { amount: 5_000 }).expect(503);
    expect(await paymentStatus(t, reference)).toBe('authorized');
    // as if IDEMPOTENCY_IN_FLIGHT_TIMEOUT had passed since the capture was asked for
    await sql(
      t,
      `UPDATE payments SET capture_requested_at = now() - interval '1 hour' WHERE reference = $1`,
      [reference],
    );
    await t.get<ReconciliationService>(ReconciliationService).reconcileOnce();
    const [row] = await sql<{ status: string; amount_received: string }>(
      t,
      `SELECT status, amount_received FROM payments WHERE reference = $1`,
      [reference],
    );
    expect(row).toEqual({ status: 'succeeded', amount_received: '5000' });
    expect(stripe.intentOf(sessionId)).toMatchObject({
      status: 'succeeded',
      amount_received: 5_000,
    });
    expect(captures(intentId)).toBe(2); // the first hung unanswered, never carried out
    await ledgerClean();
  });

  it('captures exactly once when 10 captures of one authorization race', async () => {
    const { reference, intentId } = await authorizedPayment(9_000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => capture(reference, { amount: 1_000 + i })),
    );
    const statuses = answers.map((res) => res.status).sort((a, b) => a - b);
    expect(statuses).toEqual([200, ...Array<number>(9).fill(409)]);
    const winner = answers.find((res) => res.status === 200);
    expect(captures(intentId)).toBe(1);
    const [row] = await sql<{ status: string; amount_received: string }>(
      t,
      `SELECT status, amount_received FROM payments WHERE reference = $1`,
      [reference],
    );
    expect(row).toEqual({
      status: 'succeeded',
      amount_received: String(winner?.body.amount_received),
    });
    expect(
      (await paymentEvents(t, reference)).filter((e) => e.type === 'payment.success'),
    ).toHaveLength(1);
    await ledgerClean();
  });

  it('captures exactly once when 10 captures and cancels start in the same tick, past the HTTP layer', async () => {
    // Started together, every transaction reads the authorization before any commits: only the
    // row lock keeps all but one from reaching the gateway.
    const { reference, intentId } = await authorizedPayment(9_000);
    const service = t.get<PaymentCaptureService>(PaymentCaptureService);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? service.capture(alice.userId, reference, 2_000, null)
          : service.cancel(alice.userId, reference, null),
      ),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(outcome.reason).toMatchObject({ code: 'PAYMENT_NOT_CAPTURABLE' });
    }
    expect(captures(intentId) + cancels(intentId)).toBe(1);
    expect(['succeeded', 'canceled']).toContain(await paymentStatus(t, reference));
    await ledgerClean();
  });

  it('cancels an authorization: canceled, voided once at the gateway, then neither capture nor cancel', async () => {
    const { reference, sessionId, intentId } = await authorizedPayment(4_000);
    const res = await request(t.url)
      .post(`/api/v1/payments/${reference}/cancel`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'canceled', amount_received: null });
    expect(stripe.intentOf(sessionId)).toMatchObject({ status: 'canceled' });
    expect(cancels(intentId)).toBe(1);
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.canceled',
    ]);
    expect((await capture(reference).expect(409)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    await request(t.url)
      .post(`/api/v1/payments/${reference}/cancel`)
      .set(alice.authHeader)
      .expect(409);
    expect(captures(intentId)).toBe(0);
    expect(cancels(intentId)).toBe(1);
  });

  it('answers 409 PAYMENT_NOT_CAPTURABLE for a payment that is not authorized', async () => {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({ amount: 1_000, currency: 'USD', gateway: 'stripe', email: 'p@example.com' })
      .expect(201);
    expect(res.body.capture).toBe('automatic');
    expect((await capture(res.body.reference).expect(409)).body.code).toBe(
      'PAYMENT_NOT_CAPTURABLE',
    );
  });

  it('cancels, through reconciliation, an authorization Stripe let expire', async () => {
    const { reference, sessionId } = await authorizedPayment(3_000);
    stripe.expireAuthorization(sessionId);
    await reconcileDue(t, reference);
    expect(await paymentStatus(t, reference)).toBe('canceled');
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.canceled',
    ]);
    expect((await capture(reference).expect(409)).body.code).toBe('PAYMENT_NOT_CAPTURABLE');
  });

  it('answers 422 CAPTURE_NOT_SUPPORTED for manual capture through Paystack, creating nothing', async () => {
    const [before] = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM payments`);
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount: 50_000,
        currency: 'NGN',
        gateway: 'paystack',
        email: 'p@example.com',
        capture: 'manual',
      })
      .expect(422);
    expect(res.body).toMatchObject({ code: 'CAPTURE_NOT_SUPPORTED' });
    const [after] = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM payments`);
    expect(after.n).toBe(before.n);
  });
});
