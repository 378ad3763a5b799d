import request from 'supertest';
import { FakePayPal } from '../fakes/fake-paypal.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import {
  createPayment,
  eventStatus,
  paymentEvents,
  paymentStatus,
  waitFor,
  inboundEvent,
} from './payments.helpers.js';

describe('PayPal gateway (e2e)', () => {
  const app = gatewayTestApp(() => new FakePayPal().start(), 'alice.paypal@example.com');
  let t: TestApp;
  let paypal: FakePayPal;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: paypal, alice } = app());
  });

  async function newPayPalPayment(amount = 1050, currency = 'USD') {
    const created = await createPayment(t, alice.authHeader, {
      amount,
      currency,
      gateway: 'paypal',
    });
    const order = paypal.orderByReference(created.reference);
    return { ...created, orderId: order.id as string };
  }

  it('creates an order, captures it once on CHECKOUT.ORDER.APPROVED and settles; the capture webhook and the callback change nothing', async () => {
    const created = await newPayPalPayment(1050, 'USD');
    expect(created).toMatchObject({
      gateway: 'paypal',
      status: 'pending',
      amount: 1050,
      currency: 'USD',
    });
    expect(created.authorization_url).toBe(`${paypal.url}/checkoutnow?token=${created.orderId}`);

    paypal.approve(created.orderId);
    const sent = await paypal.sendWebhook(t.url, paypal.orderApprovedEvent(created.orderId));
    expect(sent).toEqual({ status: 200, body: { received: true, duplicate: false } });
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const completed = paypal.captureEvent('PAYMENT.CAPTURE.COMPLETED', created.orderId);
    expect((await paypal.sendWebhook(t.url, completed)).status).toBe(200);
    await waitFor(
      () => eventStatus(t, 'paypal', completed.id as string),
      (status) => status === 'processed',
    );
    const callback = await request(t.url)
      .get(`/api/v1/payments/callback?reference=${created.reference}`)
      .expect(302);
    expect(callback.headers.location).toContain('status=succeeded');

    expect(paypal.captures(created.orderId)).toHaveLength(1);
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 1050 });
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.success',
    ]);
  });

  it('captures when the payer returns through the callback, before any webhook', async () => {
    const created = await newPayPalPayment(2000);
    paypal.approve(created.orderId);
    const callback = await request(t.url)
      .get(`/api/v1/payments/callback?reference=${created.reference}`)
      .expect(302);
    expect(callback.headers.location).toContain('status=succeeded');
    expect(paypal.captures(created.orderId)).toHaveLength(1);
  });

  it('fails the payment when the capture is declined (the order still reads COMPLETED), and PAYMENT.CAPTURE.DENIED changes nothing more', async () => {
    const created = await newPayPalPayment();
    paypal.approve(created.orderId, 'DECLINED');
    await paypal.sendWebhook(t.url, paypal.orderApprovedEvent(created.orderId));
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'failed',
    );
    const denied = paypal.captureEvent('PAYMENT.CAPTURE.DENIED', created.orderId);
    await paypal.sendWebhook(t.url, denied);
    await waitFor(
      () => eventStatus(t, 'paypal', denied.id as string),
      (status) => status === 'processed',
    );
    expect((await paymentEvents(t, created.reference)).map((event) => event.type)).toEqual([
      'payment.failed',
    ]);
  });

  it('answers a webhook PayPal does not verify with 401, and 503 while its verify API is down, storing nothing', async () => {
    const created = await newPayPalPayment();
    paypal.approve(created.orderId);
    const event = paypal.orderApprovedEvent(created.orderId);

    const forged = await paypal.sendWebhook(t.url, event, { forged: true });
    expect(forged.status).toBe(401);
    expect(forged.body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const missingHeaders = await paypal.sendWebhook(t.url, event, { headers: {} });
    expect(missingHeaders.status).toBe(401);

    paypal.server.failNext(
      503,
      1,
      (req) => req.path === '/v1/notifications/verify-webhook-signature',
    );
    const unavailable = await paypal.sendWebhook(t.url, event);
    expect(unavailable.status).toBe(503);

    expect(await eventStatus(t, 'paypal', event.id as string)).toBe('missing');
    expect(await paymentStatus(t, created.reference)).toBe('pending');
    expect(paypal.captures(created.orderId)).toHaveLength(0);
  });

  it('treats the same event delivered again as a duplicate, with one capture and one success', async () => {
    const created = await newPayPalPayment(3000);
    paypal.approve(created.orderId);
    const event = paypal.orderApprovedEvent(created.orderId);
    await paypal.sendWebhook(t.url, event);
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'succeeded',
    );

    const again = await Promise.all([1, 2, 3].map(() => paypal.sendWebhook(t.url, event)));
    expect(again.map((response) => response.body)).toEqual(
      Array(3).fill({ received: true, duplicate: true }),
    );
    expect(paypal.captures(created.orderId)).toHaveLength(1);
    expect((await paymentEvents(t, created.reference)).map((row) => row.type)).toEqual([
      'payment.success',
    ]);
  });

  it('sends a capture for a different amount to needs_review', async () => {
    const created = await newPayPalPayment(5000);
    paypal.approve(created.orderId, 'COMPLETED', '45.00');
    await paypal.sendWebhook(t.url, paypal.orderApprovedEvent(created.orderId));
    await waitFor(
      () => paymentStatus(t, created.reference),
      (status) => status === 'needs_review',
    );
    const res = await request(t.url)
      .get(`/api/v1/payments/${created.reference}`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body.review_reason).toMatch(/amount 4500 instead of 5000/);
    expect(await paymentEvents(t, created.reference)).toEqual([]);
  });

  describe('while PayPal is down', () => {
    it('refuses the webhook with 503 while PayPal is unreachable, and settles when PayPal delivers it again', async () => {
      const created = await newPayPalPayment(1200);
      paypal.approve(created.orderId);
      const event = paypal.orderApprovedEvent(created.orderId);
      await paypal.server.refuseConnections();
      const refused = await paypal.sendWebhook(t.url, event);
      expect(refused.status).toBe(503);
      expect(await eventStatus(t, 'paypal', event.id as string)).toBe('missing');

      await paypal.server.acceptConnections();
      expect((await paypal.sendWebhook(t.url, event)).status).toBe(200);
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'succeeded',
      );
      expect(paypal.captures(created.orderId)).toHaveLength(1);
    });

    it('retries 500 answers from the orders API and settles with a single capture', async () => {
      const created = await newPayPalPayment(1300);
      paypal.approve(created.orderId);
      const event = paypal.orderApprovedEvent(created.orderId);
      paypal.server.failNext(500, 3, (req) => req.path.startsWith('/v2/checkout/orders/'));
      expect((await paypal.sendWebhook(t.url, event)).status).toBe(200);
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'succeeded',
      );
      expect((await inboundEvent(t, 'paypal', event.id as string)).attempts).toBeGreaterThanOrEqual(
        4,
      );
      expect(paypal.captures(created.orderId)).toHaveLength(1);
    });

    it('retries after a capture that timed out and settles with a single capture', async () => {
      const created = await newPayPalPayment(1400);
      paypal.approve(created.orderId);
      const event = paypal.orderApprovedEvent(created.orderId);
      paypal.server.hangNext(3_000, 1, (req) => req.path.endsWith('/capture'));
      expect((await paypal.sendWebhook(t.url, event)).status).toBe(200);
      await waitFor(
        () => inboundEvent(t, 'paypal', event.id as string),
        (row) => row.last_error !== null,
      );
      await waitFor(
        () => paymentStatus(t, created.reference),
        (status) => status === 'succeeded',
      );
      expect(paypal.captures(created.orderId)).toHaveLength(1);
    });
  });
});
