import { AppConfig } from '../../src/config/app-config.js';
import {
  GatewayRequestError,
  GatewayUnavailableError,
  InvalidSignatureError,
} from '../../src/modules/gateways/gateway.errors.js';
import type { InitializeInput } from '../../src/modules/gateways/gateway.interface.js';
import { StripeAdapter } from '../../src/modules/gateways/stripe/stripe.adapter.js';
import { FakeStripe } from '../fakes/fake-stripe.js';

const TIMEOUT_MS = 400;

function adapterFor(fake: FakeStripe, env: Record<string, string> = {}): StripeAdapter {
  return new StripeAdapter(
    new AppConfig({ GATEWAY_TIMEOUT: `${TIMEOUT_MS}ms`, ...fake.env(), ...env }),
  );
}

function payment(reference: string, amount = 1050, currency = 'USD'): InitializeInput {
  return {
    reference,
    amount,
    currency,
    email: 'payer@example.com',
    returnUrl: `http://app.test/api/v1/payments/callback?reference=${reference}`,
  };
}

describe('Stripe adapter against the fake Stripe API', () => {
  let fake: FakeStripe;
  let stripe: StripeAdapter;

  beforeAll(async () => {
    fake = await new FakeStripe().start();
    stripe = adapterFor(fake);
  });

  afterEach(async () => {
    fake.server.clearFaults();
    await fake.server.acceptConnections();
  });

  afterAll(async () => {
    await fake.stop();
  });

  it('creates a Checkout Session in minor units carrying our reference, and returns its url and id', async () => {
    const result = await stripe.initialize(payment('PAY-20260101000000-STRIPE01', 1050, 'USD'));
    const session = fake.sessionByReference('PAY-20260101000000-STRIPE01');
    expect(result).toEqual({ authorizationUrl: session.url, gatewayPaymentId: session.id });
    expect(session).toMatchObject({
      mode: 'payment',
      amount_total: 1050,
      currency: 'usd',
      client_reference_id: 'PAY-20260101000000-STRIPE01',
      metadata: { reference: 'PAY-20260101000000-STRIPE01' },
      success_url: 'http://app.test/api/v1/payments/callback?reference=PAY-20260101000000-STRIPE01',
    });
    const create = fake.server.calls.find(
      (call) => call.method === 'POST' && call.path === '/v1/checkout/sessions',
    );
    expect(create?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(create?.rawBody).toContain('line_items[0][price_data][unit_amount]=1050');
    expect(create?.rawBody).toContain(
      'payment_intent_data[metadata][reference]=PAY-20260101000000-STRIPE01',
    );
  });

  it('sends zero-decimal JPY amounts unchanged', async () => {
    await stripe.initialize(payment('PAY-20260101000000-STRIPEJPY', 1500, 'JPY'));
    expect(fake.sessionByReference('PAY-20260101000000-STRIPEJPY')).toMatchObject({
      amount_total: 1500,
      currency: 'jpy',
    });
  });

  it('verifies a paid session as succeeded with the amount, upper-case currency and payment intent', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE02'));
    const intent = fake.pay(gatewayPaymentId as string);
    const result = await stripe.verify({
      reference: 'PAY-20260101000000-STRIPE02',
      gatewayPaymentId: gatewayPaymentId as string,
      amount: 1050,
      currency: 'USD',
    });
    expect(result).toEqual({
      status: 'succeeded',
      reference: 'PAY-20260101000000-STRIPE02',
      amount: 1050,
      currency: 'USD',
      gatewayPaymentId,
      gatewayChargeId: intent.id,
      failureReason: undefined,
    });
  });

  it('reports what Stripe actually collected when it differs from what was asked', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE03'));
    fake.pay(gatewayPaymentId as string, { amount: 999 });
    const result = await stripe.verify({
      reference: 'PAY-20260101000000-STRIPE03',
      gatewayPaymentId: gatewayPaymentId as string,
      amount: 1050,
      currency: 'USD',
    });
    expect(result).toMatchObject({ status: 'succeeded', amount: 999 });
  });

  it('keeps a declined attempt pending while the session is open and fails it once expired', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE04'));
    const input = {
      reference: 'PAY-20260101000000-STRIPE04',
      gatewayPaymentId: gatewayPaymentId as string,
      amount: 1050,
      currency: 'USD',
    };
    fake.decline(gatewayPaymentId as string);
    expect(await stripe.verify(input)).toMatchObject({
      status: 'pending',
      failureReason: 'Your card was declined.',
    });
    fake.decline(gatewayPaymentId as string, { expire: true });
    expect(await stripe.verify(input)).toMatchObject({
      status: 'failed',
      failureReason: 'Your card was declined.',
    });
  });

  it('reads an expired session nobody paid as abandoned, and an unknown one as not found', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE05'));
    fake.expire(gatewayPaymentId as string);
    expect(
      await stripe.verify({
        reference: 'PAY-20260101000000-STRIPE05',
        gatewayPaymentId: gatewayPaymentId as string,
        amount: 1050,
        currency: 'USD',
      }),
    ).toMatchObject({ status: 'abandoned' });
    expect(
      await stripe.verify({
        reference: 'X',
        gatewayPaymentId: 'cs_test_nope',
        amount: 1,
        currency: 'USD',
      }),
    ).toEqual({ status: 'not_found' });
  });

  it('refunds once per refund id however often the call is repeated', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE06'));
    const intent = fake.pay(gatewayPaymentId as string);
    const input = {
      refundId: '5b0b3f0e-4a4e-4f57-9d1e-000000000001',
      reference: 'PAY-20260101000000-STRIPE06',
      gatewayPaymentId: gatewayPaymentId as string,
      gatewayChargeId: intent.id as string,
      amount: 400,
      currency: 'USD',
    };
    const first = await stripe.refund(input);
    const second = await stripe.refund(input);
    expect(first).toEqual({
      status: 'succeeded',
      gatewayRefundId: expect.stringMatching(/^re_/),
      failureReason: undefined,
    });
    expect(second.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(fake.refundList().filter((refund) => refund.payment_intent === intent.id)).toHaveLength(
      1,
    );
    expect(fake.refund(first.gatewayRefundId as string)).toMatchObject({
      amount: 400,
      metadata: { refund_id: input.refundId },
    });
  });

  it('finds the payment intent from the session when the charge id was not recorded, and polls the refund', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE07'));
    fake.pay(gatewayPaymentId as string);
    fake.refundOutcome = 'pending';
    try {
      const input = {
        refundId: 'refund-7',
        reference: 'PAY-20260101000000-STRIPE07',
        gatewayPaymentId: gatewayPaymentId as string,
        gatewayChargeId: null,
        amount: 1050,
        currency: 'USD',
      };
      const created = await stripe.refund(input);
      expect(created.status).toBe('processing');
      fake.settleRefund(created.gatewayRefundId as string, 'succeeded');
      expect(await stripe.getRefund(created.gatewayRefundId as string)).toMatchObject({
        status: 'succeeded',
      });
    } finally {
      fake.refundOutcome = 'succeeded';
    }
  });

  it('treats a refund Stripe refuses (more than remains) as a permanent error', async () => {
    const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE08'));
    const intent = fake.pay(gatewayPaymentId as string);
    await expect(
      stripe.refund({
        refundId: 'refund-8',
        reference: 'PAY-20260101000000-STRIPE08',
        gatewayPaymentId: gatewayPaymentId as string,
        gatewayChargeId: intent.id as string,
        amount: 5000,
        currency: 'USD',
      }),
    ).rejects.toBeInstanceOf(GatewayRequestError);
  });

  describe('when Stripe is down', () => {
    it('turns a refused connection into GatewayUnavailableError', async () => {
      await fake.server.refuseConnections();
      await expect(
        stripe.initialize(payment('PAY-20260101000000-STRIPE09')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });

    it('turns a 500 into GatewayUnavailableError and succeeds once Stripe answers again', async () => {
      fake.server.failNext(500);
      await expect(
        stripe.initialize(payment('PAY-20260101000000-STRIPE10')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
      await expect(
        stripe.initialize(payment('PAY-20260101000000-STRIPE10')),
      ).resolves.toMatchObject({ gatewayPaymentId: expect.stringMatching(/^cs_test_/) });
    });

    it('gives up after the timeout with GatewayUnavailableError', async () => {
      fake.server.hangNext(TIMEOUT_MS * 5);
      await expect(
        stripe.verify({
          reference: 'X',
          gatewayPaymentId: 'cs_test_any',
          amount: 1,
          currency: 'USD',
        }),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });

    it('treats a rejected API key as a permanent error, not an outage', async () => {
      const wrongKey = adapterFor(fake, { STRIPE_SECRET_KEY: 'sk_test_wrong' });
      await expect(
        wrongKey.initialize(payment('PAY-20260101000000-STRIPE11')),
      ).rejects.toMatchObject({ gatewayStatus: 401 });
    });
  });

  describe('webhooks', () => {
    it('accepts an event signed by the SDK test helper and maps it', async () => {
      const { gatewayPaymentId } = await stripe.initialize(payment('PAY-20260101000000-STRIPE12'));
      fake.pay(gatewayPaymentId as string);
      const event = fake.checkoutCompletedEvent(gatewayPaymentId as string);
      const rawBody = Buffer.from(JSON.stringify(event));
      const request = {
        rawBody,
        headers: { 'stripe-signature': fake.signatureHeader(rawBody.toString()) },
      };
      await expect(stripe.verifyWebhook(request)).resolves.toBeUndefined();
      expect(stripe.parseWebhook(request)).toMatchObject({
        eventId: event.id,
        kind: 'payment',
        reference: 'PAY-20260101000000-STRIPE12',
        gatewayPaymentId,
        paymentStatus: 'succeeded',
      });
    });

    it('refuses a wrong secret, a tampered body and a missing header', async () => {
      const rawBody = Buffer.from(JSON.stringify(fake.event('charge.succeeded', { id: 'ch_1' })));
      const forged = {
        rawBody,
        headers: {
          'stripe-signature': fake.signatureHeader(rawBody.toString(), {
            secret: 'whsec_attacker',
          }),
        },
      };
      await expect(stripe.verifyWebhook(forged)).rejects.toBeInstanceOf(InvalidSignatureError);
      const tampered = {
        rawBody: Buffer.from(rawBody.toString().replace('ch_1', 'ch_2')),
        headers: { 'stripe-signature': fake.signatureHeader(rawBody.toString()) },
      };
      await expect(stripe.verifyWebhook(tampered)).rejects.toBeInstanceOf(InvalidSignatureError);
      await expect(stripe.verifyWebhook({ rawBody, headers: {} })).rejects.toBeInstanceOf(
        InvalidSignatureError,
      );
    });
  });
});
