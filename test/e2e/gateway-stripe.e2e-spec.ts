import request from 'supertest';
import { FakeStripe } from '../fakes/fake-stripe.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import {
  createPayment,
  eventStatus,
  paymentEvents,
  paymentStatus,
  sql,
  waitFor,
  inboundEvent,
} from './payments.helpers.js';

describe('Stripe gateway (e2e)', () => {
  const app = gatewayTestApp(() => new FakeStripe().start(), 'alice.stripe@example.com');
  let t: TestApp;
  let stripe: FakeStripe;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: stripe, alice } = app());
  });

  async function newStripePayment(amount = 1050, currency = 'USD') {
    const created = await createPayment(t, alice.authHeader, {
      amount,
      currency,
      gateway: 'stripe',
    });
    const session = stripe.sessionByReference(created.reference);
    return { ...created, sessionId: session.id as string, session };
  }

  it('creates a Checkout Session, then settles the payment from checkout.session.completed', async () => {
    const created = await newStripePayment(1050, 'USD');
    expect(created).toMatchObject({
      gateway: 'stripe',
      status: 'pending',
      amount: 1050,
      currency: 'USD',
    });
    expect(created.authorization_url).toBe(created.session.url);
    expect(created.session).toMatchObject({
      amount_total: 1050,
      currency: 'usd',
      client_reference_id: created.reference,
    });
    expect(created.session.success_url).toContain(
      `/api/v1/payments/callback?reference=${created.reference}`,
    );

    stripe.pay(created.sessionId);
    const sent = await stripe.sendWebhook(t.url, stripe.checkoutCompletedEvent(created.sessionId));
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 1050 });
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);
  });

  it('fails the payment when the card is declined and the session expires (payment_intent.payment_failed)', async () => {
    const created = await newStripePayment();
    stripe.decline(created.sessionId, { expire: true });
    const sent = await stripe.sendWebhook(
      t.url,
      stripe.paymentIntentEvent('payment_intent.payment_failed', created.sessionId),
    );
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'failed',
    );
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  it('answers a forged signature and a 10-minute-old one with 401 INVALID_SIGNATURE, storing nothing', async () => {
    const created = await newStripePayment();
    stripe.pay(created.sessionId);
    const event = stripe.checkoutCompletedEvent(created.sessionId);

    const forged = await stripe.sendWebhook(t.url, event, { secret: 'whsec_attacker_secret' });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const stale = await stripe.sendWebhook(t.url, event, {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    const garbage = await stripe.sendWebhook(t.url, event, { signature: 't=1,v1=deadbeef' });
    expect(garbage.status).toBe(401);

    expect(await eventStatus(t, 'stripe', event.id as string)).toBe('missing');
    expect(await paymentStatus(t, created.reference)).toBe('pending');
  });

  it('treats the same event delivered again as a duplicate with no second effect', async () => {
    const created = await newStripePayment(2500);
    stripe.pay(created.sessionId);
    const event = stripe.checkoutCompletedEvent(created.sessionId);
    expect((await stripe.sendWebhook(t.url, event)).body).toEqual({
      received: true,
      duplicate: false,
    });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const again = await Promise.all([
      stripe.sendWebhook(t.url, event),
      stripe.sendWebhook(t.url, event),
      stripe.sendWebhook(t.url, event),
    ]);
    expect(again.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(again.map((response) => response.body)).toEqual(
      Array(3).fill({ received: true, duplicate: true }),
    );
    // a different event about the same payment is processed but changes nothing
    const other = stripe.paymentIntentEvent('payment_intent.succeeded', created.sessionId);
    await stripe.sendWebhook(t.url, other);
    await waitFor(
      () => eventStatus(t, 'stripe', other.id as string),
      (status) => status === 'processed',
    );

    const stored = await sql(
      t,
      `SELECT 1 FROM inbound_webhook_events WHERE gateway = 'stripe' AND event_id = $1`,
      [event.id],
    );
    expect(stored).toHaveLength(1);
    expect((await paymentEvents(t, created.reference)).map((row) => row.type)).toEqual([
      'payment.success',
    ]);
    const ledger = await sql<{ amount_received: string }>(
      t,
      `SELECT amount_received FROM payments WHERE reference = $1`,
      [created.reference],
    );
    expect(Number(ledger[0].amount_received)).toBe(2500);
  });

  it('sends a payment whose collected amount differs to needs_review, never succeeded', async () => {
    const created = await newStripePayment(5000);
    stripe.pay(created.sessionId, { amount: 4000 });
    await stripe.sendWebhook(t.url, stripe.checkoutCompletedEvent(created.sessionId));
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'needs_review',
    );
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body.review_reason).toMatch(/amount 4000 instead of 5000/);
    expect(await paymentEvents(t, created.reference)).toEqual([]);
  });

  describe('while Stripe is down', () => {
    /** A paid session whose checkout.session.completed is then delivered while `breakStripe` holds. */
    async function deliverWhile(
      breakStripe: () => Promise<void> | void,
    ): Promise<{ reference: string; eventId: string }> {
      const created = await newStripePayment(1200);
      stripe.pay(created.sessionId);
      const event = stripe.checkoutCompletedEvent(created.sessionId);
      await breakStripe();
      const sent = await stripe.sendWebhook(t.url, event);
      // The signature is checked locally, so the event is accepted and stored even while Stripe is down.
      expect(sent.status).toBe(200);
      return { reference: created.reference, eventId: event.id as string };
    }

    it('retries a connection refused and settles once Stripe is back', async () => {
      const { reference, eventId } = await deliverWhile(() => stripe.server.refuseConnections());
      await waitFor(
        () => inboundEvent(t, 'stripe', eventId),
        (row) => row.attempts >= 2 && row.last_error !== null,
      );
      expect(await paymentStatus(t, reference)).toBe('pending');
      await stripe.server.acceptConnections();
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
      expect(await eventStatus(t, 'stripe', eventId)).toBe('processed');
    });

    it('retries 500 answers and settles once Stripe answers again', async () => {
      const { reference, eventId } = await deliverWhile(() =>
        stripe.server.failNext(
          500,
          3,
          (req) => req.method === 'GET' && req.path.startsWith('/v1/checkout/sessions/'),
        ),
      );
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
      expect((await inboundEvent(t, 'stripe', eventId)).attempts).toBeGreaterThanOrEqual(4);
    });

    it('retries after a timeout and settles', async () => {
      const { reference, eventId } = await deliverWhile(() =>
        stripe.server.hangNext(
          3_000,
          1,
          (req) => req.method === 'GET' && req.path.startsWith('/v1/checkout/sessions/'),
        ),
      );
      await waitFor(
        () => paymentStatus(t, reference),
        (status) => status === 'succeeded',
      );
      expect((await inboundEvent(t, 'stripe', eventId)).attempts).toBeGreaterThanOrEqual(2);
    });
  });
});
