import request from 'supertest';
import { SettlementService } from '../../src/modules/payments/settlement/settlement.service.js';
import { FakePaystack } from '../fakes/fake-paystack.js';
import { GenericWebhookSender } from '../fakes/webhook-sender.js';
import { signIn, type SignedIn } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-env.js';
import { paymentEvents, paymentsEnv, paymentStatus, sql, waitFor } from './payments.helpers.js';

const API = '/api/v1';

/**
 * A checkout session for an amount (no order) is paid once. A payer can start a second payment
 * once the first failed or was abandoned; should the first then succeed after all (the payer
 * finished it late), or both succeed at once, the one that succeeds second goes to needs_review
 * with CHECKOUT_SESSION_ALREADY_PAID, as a second payment for a paid order does (SPEC §6), never
 * kept silently as a second charge.
 */
describe('checkout sessions: one kept payment per session (e2e)', () => {
  let t: TestApp;
  let paystack: FakePaystack;
  let merchant: SignedIn;
  let admin: SignedIn;

  beforeAll(async () => {
    paystack = await new FakePaystack().start();
    t = await createTestApp({ env: paymentsEnv(paystack, GenericWebhookSender.newSecret()) });
    merchant = await signIn(t, 'double-pay-merchant@example.com');
    admin = await signIn(t, 'admin@example.com');
  });

  afterAll(async () => {
    await t?.close();
    await paystack?.stop();
  });

  const settlement = (): SettlementService => t.get<SettlementService>(SettlementService);

  async function paymentId(reference: string): Promise<string> {
    const [row] = await sql<{ id: string }>(t, `SELECT id FROM payments WHERE reference = $1`, [
      reference,
    ]);
    return row.id;
  }

  async function newSession(): Promise<string> {
    const res = await request(t.url)
      .post(`${API}/checkout/sessions`)
      .set(merchant.authHeader)
      .send({ amount: 25_000, currency: 'NGN', email: 'payer@example.com' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function startPayment(sessionId: string): Promise<string> {
    const res = await request(t.url)
      .post(`${API}/checkout/sessions/${sessionId}/payments`)
      .send({ gateway: 'paystack' });
    expect(res.status).toBe(201);
    return res.body.reference as string;
  }

  /** A session whose first payment failed (our books say so) and whose second is pending. */
  async function sessionWithFailedThenPending(): Promise<{
    sessionId: string;
    first: string;
    second: string;
  }> {
    const sessionId = await newSession();
    const first = await startPayment(sessionId);
    paystack.markFailed(first);
    await settlement().settle(await paymentId(first), { source: 'verify' });
    expect(await paymentStatus(t, first)).toBe('failed');
    const second = await startPayment(sessionId);
    return { sessionId, first, second };
  }

  async function sessionView(id: string): Promise<Record<string, unknown>> {
    const res = await request(t.url).get(`${API}/checkout/sessions/${id}`).set(merchant.authHeader);
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  it('sends a failed attempt the payer finished late to needs_review once another payment completed the session, and lets an admin reject it', async () => {
    const { sessionId, first, second } = await sessionWithFailedThenPending();
    paystack.markPaid(second);
    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(second));
    await waitFor(
      () => paymentStatus(t, second),
      (status) => status === 'succeeded',
    );

    // The first attempt's money arrives after all.
    paystack.markPaid(first);
    await paystack.sendWebhook(t.url, paystack.chargeSuccessEvent(first));
    await waitFor(
      () => paymentStatus(t, first),
      (status) => status !== 'failed',
    );
    const view = await request(t.url)
      .get(`${API}/payments/${first}`)
      .set(merchant.authHeader)
      .expect(200);
    expect(view.body).toMatchObject({
      status: 'needs_review',
      review_reason: 'CHECKOUT_SESSION_ALREADY_PAID',
    });
    expect(await sessionView(sessionId)).toMatchObject({
      status: 'complete',
      payment_reference: second,
      payment_status: 'succeeded',
    });
    // One payment.success for the session: the merchant is never told it was paid twice.
    expect((await paymentEvents(t, second)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);
    expect((await paymentEvents(t, first)).map((event) => event.type)).toEqual(['payment.failed']);

    const rejected = await request(t.url)
      .post(`${API}/admin/payments/${first}/resolve`)
      .set(admin.authHeader)
      .send({ action: 'reject', note: 'paid twice through one checkout session' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('failed');
    const refunds = await sql<{ amount: string }>(
      t,
      `SELECT r.amount::text AS amount FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE p.reference = $1`,
      [first],
    );
    expect(refunds.map((refund) => refund.amount)).toEqual(['25000']);
  });

  it('keeps one of two payments of a session that succeed at the same moment, every time', async () => {
    const sessions = await Promise.all(
      Array.from({ length: 8 }, () => sessionWithFailedThenPending()),
    );
    for (const { first, second } of sessions) {
      paystack.markPaid(first);
      paystack.markPaid(second);
    }
    // Each session's two successes settled at once, every session at the same time.
    await Promise.all(
      sessions.flatMap(({ first, second }) =>
        [first, second].map(async (reference) =>
          settlement().settle(await paymentId(reference), { source: 'verify' }),
        ),
      ),
    );
    for (const { sessionId, first, second } of sessions) {
      const statuses = [await paymentStatus(t, first), await paymentStatus(t, second)].sort();
      expect(statuses).toEqual(['needs_review', 'succeeded']);
      expect((await sessionView(sessionId)).status).toBe('complete');
    }
    const [reasons] = await sql<{ n: number }>(
      t,
      `SELECT count(*)::int AS n FROM payments
        WHERE review_reason = 'CHECKOUT_SESSION_ALREADY_PAID'
          AND metadata->>'checkout_session_id' = ANY($1)`,
      [sessions.map((session) => session.sessionId)],
    );
    expect(reasons.n).toBe(sessions.length);
  });

  it('settles a payment whose metadata names no real session as any other payment', async () => {
    const res = await request(t.url)
      .post(`${API}/payments`)
      .set(merchant.authHeader)
      .send({
        amount: 1_000,
        currency: 'NGN',
        gateway: 'paystack',
        email: 'payer@example.com',
        metadata: { checkout_session_id: 'not-a-session' },
      });
    expect(res.status).toBe(201);
    const reference = res.body.reference as string;
    paystack.markPaid(reference);
    await settlement().settle(await paymentId(reference), { source: 'verify' });
    expect(await paymentStatus(t, reference)).toBe('succeeded');
  });
});
