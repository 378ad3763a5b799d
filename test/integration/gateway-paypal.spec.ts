import { AppConfig } from '../../src/config/app-config.js';
import {
  GatewayRequestError,
  GatewayUnavailableError,
  InvalidSignatureError,
} from '../../src/modules/gateways/gateway.errors.js';
import type { InitializeInput, VerifyInput } from '../../src/modules/gateways/gateway.interface.js';
import { PayPalAdapter } from '../../src/modules/gateways/paypal/paypal.adapter.js';
import { FakePayPal } from '../fakes/fake-paypal.js';

const TIMEOUT_MS = 400;

function payment(reference: string, amount = 1050, currency = 'USD'): InitializeInput {
  return {
    reference,
    amount,
    currency,
    email: 'payer@example.com',
    returnUrl: `http://app.test/api/v1/payments/callback?reference=${reference}`,
  };
}

function adapterFor(fake: FakePayPal, env: Record<string, string> = {}): PayPalAdapter {
  return new PayPalAdapter(
    new AppConfig({ GATEWAY_TIMEOUT: `${TIMEOUT_MS}ms`, ...fake.env(), ...env }),
  );
}

describe('PayPal adapter against the fake PayPal REST API', () => {
  let fake: FakePayPal;
  let paypal: PayPalAdapter;

  beforeAll(async () => {
    fake = await new FakePayPal().start();
    paypal = adapterFor(fake);
  });

  afterEach(async () => {
    fake.server.clearFaults();
    await fake.server.acceptConnections();
  });

  afterAll(async () => {
    await fake.stop();
  });

  async function created(reference: string, amount = 1050, currency = 'USD'): Promise<VerifyInput> {
    const result = await paypal.initialize(payment(reference, amount, currency));
    return { reference, gatewayPaymentId: result.gatewayPaymentId as string, amount, currency };
  }

  it('creates a CAPTURE order with our reference and a decimal-string amount, returning the payer-action link', async () => {
    const result = await paypal.initialize(payment('PAY-20260101000000-PP000001', 1050, 'USD'));
    const order = fake.order(result.gatewayPaymentId as string);
    expect(result.authorizationUrl).toBe(`${fake.url}/checkoutnow?token=${String(order.id)}`);
    expect(order.purchase_units).toEqual([
      expect.objectContaining({
        reference_id: 'PAY-20260101000000-PP000001',
        custom_id: 'PAY-20260101000000-PP000001',
        invoice_id: 'PAY-20260101000000-PP000001',
        amount: { currency_code: 'USD', value: '10.50' },
      }),
    ]);
    const create = fake.server.calls.find(
      (call) => call.path === '/v2/checkout/orders' && call.method === 'POST',
    );
    expect(create?.headers['paypal-request-id']).toBe('PAY-20260101000000-PP000001');
  });

  it('sends JPY without decimals', async () => {
    const input = await created('PAY-20260101000000-PPJPY001', 1500, 'JPY');
    expect(
      (fake.order(input.gatewayPaymentId as string).purchase_units as { amount: unknown }[])[0]
        .amount,
    ).toEqual({ currency_code: 'JPY', value: '1500' });
  });

  it('reads an order the payer has not approved as pending, without capturing', async () => {
    const input = await created('PAY-20260101000000-PP000002');
    expect(await paypal.verify(input)).toMatchObject({
      status: 'pending',
      reference: 'PAY-20260101000000-PP000002',
      amount: 1050,
      currency: 'USD',
    });
    expect(fake.server.count('POST', /\/capture$/)).toBe(0);
  });

  it('captures an approved order and reports the capture as the truth', async () => {
    const input = await created('PAY-20260101000000-PP000003');
    fake.approve(input.gatewayPaymentId as string);
    const result = await paypal.verify(input);
    const [capture] = fake.captures(input.gatewayPaymentId as string);
    expect(result).toEqual({
      status: 'succeeded',
      reference: 'PAY-20260101000000-PP000003',
      amount: 1050,
      currency: 'USD',
      gatewayPaymentId: input.gatewayPaymentId,
      gatewayChargeId: capture.id,
      failureReason: undefined,
    });
    const captureCall = fake.server.calls.find((call) => call.path.endsWith('/capture'));
    expect(captureCall?.headers['paypal-request-id']).toBe('capture-PAY-20260101000000-PP000003');
  });

  it('captures once when the callback, the webhook and reconciliation verify at the same time', async () => {
    const input = await created('PAY-20260101000000-PP000004');
    fake.approve(input.gatewayPaymentId as string);
    const results = await Promise.all([
      paypal.verify(input),
      paypal.verify(input),
      paypal.verify(input),
      paypal.verify(input),
    ]);
    expect(new Set(results.map((result) => result.gatewayChargeId)).size).toBe(1);
    expect(results.every((result) => result.status === 'succeeded')).toBe(true);
    expect(fake.captures(input.gatewayPaymentId as string)).toHaveLength(1);
  });

  it('lets the capture decide after capture: DECLINED → failed, PENDING → pending, even though the order is COMPLETED', async () => {
    const declined = await created('PAY-20260101000000-PP000005');
    fake.approve(declined.gatewayPaymentId as string, 'DECLINED');
    expect(await paypal.verify(declined)).toMatchObject({
      status: 'failed',
      failureReason: 'DECLINED_BY_RISK_FRAUD_FILTERS',
    });
    expect(fake.order(declined.gatewayPaymentId as string).status).toBe('COMPLETED');

    const pending = await created('PAY-20260101000000-PP000006');
    fake.approve(pending.gatewayPaymentId as string, 'PENDING');
    expect(await paypal.verify(pending)).toMatchObject({ status: 'pending' });
    fake.settleCapture(pending.gatewayPaymentId as string, 'COMPLETED');
    expect(await paypal.verify(pending)).toMatchObject({ status: 'succeeded' });
  });

  it('keeps a declined instrument pending (the payer may choose another) and reports a short capture amount', async () => {
    const declined = await created('PAY-20260101000000-PP000007');
    fake.approve(declined.gatewayPaymentId as string, 'INSTRUMENT_DECLINED');
    expect(await paypal.verify(declined)).toMatchObject({
      status: 'pending',
      failureReason: 'INSTRUMENT_DECLINED',
    });

    const short = await created('PAY-20260101000000-PP000008');
    fake.approve(short.gatewayPaymentId as string, 'COMPLETED', '9.99');
    expect(await paypal.verify(short)).toMatchObject({ status: 'succeeded', amount: 999 });
  });

  it('answers not found for an order PayPal does not know', async () => {
    expect(
      await paypal.verify({
        reference: 'X',
        gatewayPaymentId: 'NOSUCHORDER00000',
        amount: 1,
        currency: 'USD',
      }),
    ).toEqual({ status: 'not_found' });
  });

  it('refunds the capture once per refund id, carrying the refund id back in custom_id', async () => {
    const input = await created('PAY-20260101000000-PP000009');
    fake.approve(input.gatewayPaymentId as string);
    const verified = await paypal.verify(input);
    const refund = {
      refundId: 'c0ffee00-0000-4000-8000-000000000009',
      reference: input.reference,
      gatewayPaymentId: input.gatewayPaymentId,
      gatewayChargeId: verified.gatewayChargeId as string,
      amount: 300,
      currency: 'USD',
    };
    const first = await paypal.refund(refund);
    const again = await paypal.refund(refund);
    expect(first).toEqual({
      status: 'succeeded',
      gatewayRefundId: expect.any(String),
      failureReason: undefined,
    });
    expect(again.gatewayRefundId).toBe(first.gatewayRefundId);
    expect(fake.refundList()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: first.gatewayRefundId,
          custom_id: refund.refundId,
          amount: { currency_code: 'USD', value: '3.00' },
        }),
      ]),
    );
    expect(fake.refundList().filter((item) => item.custom_id === refund.refundId)).toHaveLength(1);
  });

  it('finds the capture from the order when refunding without a recorded capture id, and polls the refund', async () => {
    const input = await created('PAY-20260101000000-PP000010');
    fake.approve(input.gatewayPaymentId as string);
    await paypal.verify(input);
    fake.refundOutcome = 'PENDING';
    try {
      const result = await paypal.refund({
        refundId: 'refund-pp-10',
        reference: input.reference,
        gatewayPaymentId: input.gatewayPaymentId,
        gatewayChargeId: null,
        amount: 1050,
        currency: 'USD',
      });
      expect(result.status).toBe('processing');
      fake.settleRefund(result.gatewayRefundId as string, 'COMPLETED');
      expect(await paypal.getRefund(result.gatewayRefundId as string)).toMatchObject({
        status: 'succeeded',
      });
    } finally {
      fake.refundOutcome = 'COMPLETED';
    }
  });

  it('refuses a refund above what remains as a permanent error', async () => {
    const input = await created('PAY-20260101000000-PP000011');
    fake.approve(input.gatewayPaymentId as string);
    const verified = await paypal.verify(input);
    await expect(
      paypal.refund({
        refundId: 'refund-pp-11',
        reference: input.reference,
        gatewayPaymentId: input.gatewayPaymentId,
        gatewayChargeId: verified.gatewayChargeId as string,
        amount: 2000,
        currency: 'USD',
      }),
    ).rejects.toBeInstanceOf(GatewayRequestError);
  });

  describe('OAuth token', () => {
    it('fetches one token for many concurrent callers and reuses it', async () => {
      const fresh = adapterFor(fake);
      const before = fake.server.count('POST', /^\/v1\/oauth2\/token$/);
      const inputs = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => fresh.initialize(payment(`PAY-20260101000000-PPTOK00${n}`))),
      );
      expect(inputs).toHaveLength(5);
      await fresh.initialize(payment('PAY-20260101000000-PPTOK006'));
      expect(fake.server.count('POST', /^\/v1\/oauth2\/token$/) - before).toBe(1);
      const tokenCall = fake.server.calls.find((call) => call.path === '/v1/oauth2/token');
      expect(tokenCall?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(tokenCall?.rawBody).toBe('grant_type=client_credentials');
    });

    it('does not reuse a token PayPal issued already expired', async () => {
      const shortLived = await new FakePayPal({ tokenLifetimeSeconds: 0 }).start();
      try {
        const adapter = adapterFor(shortLived);
        await adapter.initialize(payment('PAY-20260101000000-PPEXP001'));
        await adapter.initialize(payment('PAY-20260101000000-PPEXP002'));
        expect(shortLived.server.count('POST', /^\/v1\/oauth2\/token$/)).toBe(2);
      } finally {
        await shortLived.stop();
      }
    });

    it('fetches a new token and retries once when PayPal revokes the cached one', async () => {
      const adapter = adapterFor(fake);
      await adapter.initialize(payment('PAY-20260101000000-PPREV001'));
      fake.revokeTokens();
      await expect(
        adapter.initialize(payment('PAY-20260101000000-PPREV002')),
      ).resolves.toMatchObject({ gatewayPaymentId: expect.any(String) });
    });

    it('treats wrong client credentials as a permanent error', async () => {
      await expect(
        adapterFor(fake, { PAYPAL_CLIENT_SECRET: 'wrong' }).initialize(
          payment('PAY-20260101000000-PPBAD001'),
        ),
      ).rejects.toMatchObject({ gatewayStatus: 401 });
    });
  });

  describe('when PayPal is down', () => {
    it('connection refused → GatewayUnavailableError', async () => {
      await fake.server.refuseConnections();
      await expect(
        adapterFor(fake).initialize(payment('PAY-20260101000000-PP000012')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });

    it('500 → GatewayUnavailableError, then the same order once it answers again', async () => {
      fake.server.failNext(500, 1, (req) => req.path === '/v2/checkout/orders');
      await expect(
        paypal.initialize(payment('PAY-20260101000000-PP000013')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
      const retried = await paypal.initialize(payment('PAY-20260101000000-PP000013'));
      const again = await paypal.initialize(payment('PAY-20260101000000-PP000013'));
      expect(again.gatewayPaymentId).toBe(retried.gatewayPaymentId);
    });

    it('a hang past the timeout → GatewayUnavailableError', async () => {
      fake.server.hangNext(TIMEOUT_MS * 5, 1, (req) => req.path.startsWith('/v2/checkout/orders/'));
      await expect(
        paypal.verify({ reference: 'X', gatewayPaymentId: 'ANYORDER', amount: 1, currency: 'USD' }),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });
  });

  describe('webhooks', () => {
    async function approvedEventRequest(reference: string, options: { forged?: boolean } = {}) {
      const input = await created(reference);
      fake.approve(input.gatewayPaymentId as string);
      const rawBody = JSON.stringify(fake.orderApprovedEvent(input.gatewayPaymentId as string));
      return {
        input,
        request: {
          rawBody: Buffer.from(rawBody),
          headers: fake.transmissionHeaders(rawBody, options),
        },
      };
    }

    it('accepts a webhook PayPal verifies (SUCCESS), passing the five headers and our webhook id', async () => {
      const { input, request } = await approvedEventRequest('PAY-20260101000000-PP000014');
      await expect(paypal.verifyWebhook(request)).resolves.toBeUndefined();
      const call = fake.server.calls
        .filter((entry) => entry.path === '/v1/notifications/verify-webhook-signature')
        .at(-1);
      expect(JSON.parse(call?.rawBody ?? '{}')).toMatchObject({
        auth_algo: 'SHA256withRSA',
        transmission_id: request.headers['paypal-transmission-id'],
        transmission_sig: request.headers['paypal-transmission-sig'],
        webhook_id: fake.webhookId,
        webhook_event: { event_type: 'CHECKOUT.ORDER.APPROVED' },
      });
      expect(paypal.parseWebhook(request)).toMatchObject({
        kind: 'payment',
        reference: 'PAY-20260101000000-PP000014',
        gatewayPaymentId: input.gatewayPaymentId,
        paymentStatus: 'pending',
      });
    });

    it('refuses a webhook PayPal does not verify (FAILURE) with 401', async () => {
      const { request } = await approvedEventRequest('PAY-20260101000000-PP000015', {
        forged: true,
      });
      const error = await paypal.verifyWebhook(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidSignatureError);
      expect(error).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    });

    it('refuses a body changed after signing, and missing transmission headers', async () => {
      const { request } = await approvedEventRequest('PAY-20260101000000-PP000016');
      const tampered = {
        ...request,
        rawBody: Buffer.from(request.rawBody.toString().replace('"10.50"', '"0.01"')),
      };
      await expect(paypal.verifyWebhook(tampered)).rejects.toBeInstanceOf(InvalidSignatureError);
      const { 'paypal-transmission-sig': _dropped, ...partial } = request.headers;
      await expect(paypal.verifyWebhook({ ...request, headers: partial })).rejects.toBeInstanceOf(
        InvalidSignatureError,
      );
    });

    it('answers 503 (GatewayUnavailableError) when the verify API is unreachable or failing', async () => {
      const { request } = await approvedEventRequest('PAY-20260101000000-PP000017');
      fake.server.failNext(
        503,
        1,
        (req) => req.path === '/v1/notifications/verify-webhook-signature',
      );
      const error = await paypal.verifyWebhook(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GatewayUnavailableError);
      expect(error).toMatchObject({ status: 503 });
      await fake.server.refuseConnections();
      await expect(paypal.verifyWebhook(request)).rejects.toBeInstanceOf(GatewayUnavailableError);
      await fake.server.acceptConnections();
      await expect(paypal.verifyWebhook(request)).resolves.toBeUndefined();
    });
  });
});
