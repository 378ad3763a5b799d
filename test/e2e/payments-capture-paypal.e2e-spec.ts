import request from 'supertest';
import { FakePayPal } from '../fakes/fake-paypal.js';
import type { SignedIn } from '../helpers/auth.js';
import type { TestApp } from '../helpers/test-env.js';
import { gatewayTestApp } from './gateway.helpers.js';
import {
  eventStatus,
  paymentEvents,
  paymentStatus,
  reconcileDue,
  waitFor,
} from './payments.helpers.js';

/**
 * Authorize now, capture later (SPEC §15) through PayPal: an order of intent AUTHORIZE, authorized
 * once approved (CHECKOUT.ORDER.APPROVED → verify → authorize), then the authorization captured
 * or voided through Payments v2, each with a PayPal-Request-Id derived from the payment.
 */
describe('manual capture through PayPal (e2e)', () => {
  const app = gatewayTestApp(() => new FakePayPal().start(), 'alice.ppcapture@example.com');
  let t: TestApp;
  let paypal: FakePayPal;
  let alice: SignedIn;

  beforeAll(() => {
    ({ t, fake: paypal, alice } = app());
  });

  const calls = (action: 'capture' | 'void', authorizationId: string): number =>
    paypal.server.count(
      'POST',
      new RegExp(`^/v2/payments/authorizations/${authorizationId}/${action}$`),
    );

  async function authorizedPayment(amount = 10_000) {
    const res = await request(t.url)
      .post('/api/v1/payments')
      .set(alice.authHeader)
      .send({
        amount,
        currency: 'USD',
        gateway: 'paypal',
        email: 'payer@example.com',
        capture: 'manual',
      })
      .expect(201);
    const reference = res.body.reference as string;
    const order = paypal.orderByReference(reference);
    expect(order.intent).toBe('AUTHORIZE');
    const orderId = order.id as string;
    paypal.approve(orderId);
    const sent = await paypal.sendWebhook(t.url, paypal.orderApprovedEvent(orderId));
    expect(sent.status).toBe(200);
    await waitFor(
      () => paymentStatus(t, reference),
      (status) => status === 'authorized',
    );
    const authorization = paypal.authorization(orderId);
    expect(authorization.status).toBe('CREATED');
    return { reference, orderId, authorizationId: authorization.id as string };
  }

  it('authorizes on approval, captures part once, settles succeeded for that part and refunds the capture', async () => {
    const { reference, orderId, authorizationId } = await authorizedPayment(10_000);
    expect(paypal.captures(orderId)).toHaveLength(0);
    // PayPal's own authorization webhook changes nothing more
    const created = paypal.authorizationEvent('PAYMENT.AUTHORIZATION.CREATED', orderId);
    await paypal.sendWebhook(t.url, created);
    await waitFor(
      () => eventStatus(t, 'paypal', created.id as string),
      (status) => status === 'processed',
    );
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual(['payment.authorized']);

    const captured = await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .set('Idempotency-Key', `pp-${reference}`)
      .send({ amount: 7_550 })
      .expect(200);
    expect(captured.body).toMatchObject({ status: 'succeeded', amount_received: 7_550 });
    expect(paypal.captures(orderId)).toHaveLength(1);
    expect(paypal.captures(orderId)[0]).toMatchObject({
      status: 'COMPLETED',
      amount: { currency_code: 'USD', value: '75.50' },
    });
    expect(paypal.authorization(orderId).status).toBe('CAPTURED');

    const replay = await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .set('Idempotency-Key', `pp-${reference}`)
      .send({ amount: 7_550 })
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const second = await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .send({ amount: 100 })
      .expect(409);
    expect(second.body.code).toBe('PAYMENT_NOT_CAPTURABLE');
    expect(calls('capture', authorizationId)).toBe(1);

    // the capture (not the authorization) is what a refund refunds
    const refund = await request(t.url)
      .post(`/api/v1/payments/${reference}/refunds`)
      .set(alice.authHeader)
      .send({ amount: 550 })
      .expect(202);
    await waitFor(
      async () =>
        (await request(t.url).get(`/api/v1/refunds/${refund.body.id}`).set(alice.authHeader)).body
          .status as string,
      (status) => status === 'succeeded',
    );
    expect(paypal.refundList().at(-1)).toMatchObject({ amount: { value: '5.50' } });
  });

  it('voids an authorization: canceled, one void at PayPal', async () => {
    const { reference, orderId, authorizationId } = await authorizedPayment(2_000);
    const res = await request(t.url)
      .post(`/api/v1/payments/${reference}/cancel`)
      .set(alice.authHeader)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'canceled', amount_received: null });
    expect(paypal.authorization(orderId).status).toBe('VOIDED');
    expect(calls('void', authorizationId)).toBe(1);
    expect((await paymentEvents(t, reference)).map((e) => e.type)).toEqual([
      'payment.authorized',
      'payment.canceled',
    ]);
    await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .expect(409);
    expect(calls('capture', authorizationId)).toBe(0);
  });

  it('cancels, through reconciliation, an authorization PayPal let expire; a capture then is 409', async () => {
    const { reference, orderId, authorizationId } = await authorizedPayment(3_000);
    paypal.expireAuthorization(orderId);
    await reconcileDue(t, reference);
    expect(await paymentStatus(t, reference)).toBe('canceled');
    await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .expect(409);
    expect(calls('capture', authorizationId)).toBe(0);
  });

  it('marks canceled a payment whose capture PayPal refuses because the authorization expired', async () => {
    const { reference, orderId, authorizationId } = await authorizedPayment(3_000);
    paypal.expireAuthorization(orderId);
    const res = await request(t.url)
      .post(`/api/v1/payments/${reference}/capture`)
      .set(alice.authHeader)
      .send({})
      .expect(502);
    expect(res.body.code).toBe('GATEWAY_ERROR');
    expect(calls('capture', authorizationId)).toBe(1);
    expect(await paymentStatus(t, reference)).toBe('canceled');
  });
});
