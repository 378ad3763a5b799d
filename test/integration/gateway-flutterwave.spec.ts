import { AppConfig } from '../../src/config/app-config.js';
import {
  GatewayRequestError,
  GatewayUnavailableError,
  InvalidSignatureError,
} from '../../src/modules/gateways/gateway.errors.js';
import { FlutterwaveAdapter } from '../../src/modules/gateways/flutterwave/flutterwave.adapter.js';
import type { InitializeInput } from '../../src/modules/gateways/gateway.interface.js';
import { FakeFlutterwave } from '../fakes/fake-flutterwave.js';

const TIMEOUT_MS = 400;

function payment(reference: string, amount = 1050, currency = 'NGN'): InitializeInput {
  return {
    reference,
    amount,
    currency,
    email: 'payer@example.com',
    returnUrl: `http://app.test/api/v1/payments/callback?reference=${reference}`,
  };
}

describe('Flutterwave adapter against the fake Flutterwave v3 API', () => {
  let fake: FakeFlutterwave;
  let flutterwave: FlutterwaveAdapter;

  beforeAll(async () => {
    fake = await new FakeFlutterwave().start();
    flutterwave = new FlutterwaveAdapter(
      new AppConfig({ GATEWAY_TIMEOUT: `${TIMEOUT_MS}ms`, ...fake.env() }),
    );
  });

  afterEach(async () => {
    fake.server.clearFaults();
    await fake.server.acceptConnections();
  });

  afterAll(async () => {
    await fake.stop();
  });

  it('asks for a hosted link in major units, exactly, and returns the link', async () => {
    const result = await flutterwave.initialize(
      payment('PAY-20260101000000-FLW00001', 1050, 'NGN'),
    );
    expect(result.authorizationUrl).toMatch(/\/v3\/hosted\/pay\//);
    expect(result.gatewayPaymentId).toBeUndefined();
    expect(fake.checkout('PAY-20260101000000-FLW00001')).toMatchObject({
      amount: '10.50',
      currency: 'NGN',
      email: 'payer@example.com',
    });
    const sent = fake.server.calls.find((call) => call.path === '/v3/payments');
    expect(sent?.headers.authorization).toBe(`Bearer ${fake.secretKey}`);
    expect(JSON.parse(sent?.rawBody ?? '{}')).toMatchObject({
      tx_ref: 'PAY-20260101000000-FLW00001',
      amount: '10.50',
      redirect_url: expect.stringContaining('/payments/callback'),
    });
  });

  it('sends zero-decimal currencies without a fraction (UGX 1500 → "1500")', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLWUGX01', 1500, 'UGX'));
    expect(fake.checkout('PAY-20260101000000-FLWUGX01').amount).toBe('1500');
  });

  it('verifies by tx_ref before the transaction id is known, then by id, in minor units', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLW00002', 1050));
    const transaction = fake.pay('PAY-20260101000000-FLW00002');
    const byReference = await flutterwave.verify({
      reference: 'PAY-20260101000000-FLW00002',
      gatewayPaymentId: null,
      amount: 1050,
      currency: 'NGN',
    });
    expect(byReference).toEqual({
      status: 'succeeded',
      reference: 'PAY-20260101000000-FLW00002',
      amount: 1050,
      currency: 'NGN',
      gatewayPaymentId: String(transaction.id),
      gatewayChargeId: String(transaction.id),
      failureReason: undefined,
    });
    const byId = await flutterwave.verify({
      reference: 'PAY-20260101000000-FLW00002',
      gatewayPaymentId: String(transaction.id),
      amount: 1050,
      currency: 'NGN',
    });
    expect(byId).toEqual(byReference);
    expect(fake.server.count('GET', /\/v3\/transactions\/\d+\/verify$/)).toBeGreaterThanOrEqual(1);
    expect(fake.server.count('GET', /verify_by_reference$/)).toBeGreaterThanOrEqual(1);
  });

  it('reports a failed charge as failed with the processor response, and a different amount as reported', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLW00003', 1050));
    const failed = fake.fail('PAY-20260101000000-FLW00003');
    expect(
      await flutterwave.verify({
        reference: 'PAY-20260101000000-FLW00003',
        gatewayPaymentId: String(failed.id),
        amount: 1050,
        currency: 'NGN',
      }),
    ).toMatchObject({ status: 'failed', failureReason: 'Declined' });
    const short = fake.pay('PAY-20260101000000-FLW00003', { amount: '10.00' });
    expect(
      await flutterwave.verify({
        reference: 'PAY-20260101000000-FLW00003',
        gatewayPaymentId: String(short.id),
        amount: 1050,
        currency: 'NGN',
      }),
    ).toMatchObject({ status: 'succeeded', amount: 1000 });
  });

  it('answers not found for a reference Flutterwave never saw', async () => {
    expect(
      await flutterwave.verify({
        reference: 'PAY-NEVER-SEEN',
        gatewayPaymentId: null,
        amount: 1,
        currency: 'NGN',
      }),
    ).toEqual({ status: 'not_found' });
  });

  it('refunds against the transaction id in major units and polls the refund', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLW00004', 250_075));
    const transaction = fake.pay('PAY-20260101000000-FLW00004');
    fake.refundOutcome = 'pending';
    try {
      const created = await flutterwave.refund({
        refundId: 'refund-flw-4',
        reference: 'PAY-20260101000000-FLW00004',
        gatewayPaymentId: String(transaction.id),
        gatewayChargeId: String(transaction.id),
        amount: 100_025,
        currency: 'NGN',
      });
      expect(created).toEqual({
        status: 'processing',
        gatewayRefundId: expect.any(String),
        failureReason: undefined,
      });
      const stored = fake
        .refundList()
        .find((refund) => String(refund.id) === created.gatewayRefundId);
      expect(stored).toMatchObject({ amount_refunded: 1000.25, comments: 'refund refund-flw-4' });
      fake.settleRefund(created.gatewayRefundId as string, 'completed');
      expect(await flutterwave.getRefund(created.gatewayRefundId as string)).toMatchObject({
        status: 'succeeded',
      });
    } finally {
      fake.refundOutcome = 'completed';
    }
  });

  it('finds the transaction by tx_ref when refunding a payment whose id was never recorded', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLW00005', 5000));
    const transaction = fake.pay('PAY-20260101000000-FLW00005');
    const result = await flutterwave.refund({
      refundId: 'refund-flw-5',
      reference: 'PAY-20260101000000-FLW00005',
      gatewayPaymentId: null,
      gatewayChargeId: null,
      amount: 5000,
      currency: 'NGN',
    });
    expect(result.status).toBe('succeeded');
    expect(fake.refundList().filter((refund) => refund.tx_id === transaction.id)).toHaveLength(1);
  });

  it('treats a refund Flutterwave refuses as permanent', async () => {
    await flutterwave.initialize(payment('PAY-20260101000000-FLW00006', 5000));
    const transaction = fake.pay('PAY-20260101000000-FLW00006');
    await expect(
      flutterwave.refund({
        refundId: 'refund-flw-6',
        reference: 'PAY-20260101000000-FLW00006',
        gatewayPaymentId: String(transaction.id),
        gatewayChargeId: String(transaction.id),
        amount: 9000,
        currency: 'NGN',
      }),
    ).rejects.toBeInstanceOf(GatewayRequestError);
  });

  describe('when Flutterwave is down', () => {
    it('connection refused → GatewayUnavailableError', async () => {
      await fake.server.refuseConnections();
      await expect(
        flutterwave.initialize(payment('PAY-20260101000000-FLW00007')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });

    it('500 → GatewayUnavailableError, then works once it answers again', async () => {
      fake.server.failNext(500);
      await expect(
        flutterwave.initialize(payment('PAY-20260101000000-FLW00008')),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
      await expect(
        flutterwave.initialize(payment('PAY-20260101000000-FLW00008')),
      ).resolves.toMatchObject({ authorizationUrl: expect.any(String) });
    });

    it('a hang past the timeout → GatewayUnavailableError', async () => {
      fake.server.hangNext(TIMEOUT_MS * 5);
      await expect(
        flutterwave.verify({
          reference: 'PAY-X',
          gatewayPaymentId: null,
          amount: 1,
          currency: 'NGN',
        }),
      ).rejects.toBeInstanceOf(GatewayUnavailableError);
    });
  });

  describe('webhooks', () => {
    it('accepts the configured verif-hash and maps charge.completed', async () => {
      await flutterwave.initialize(payment('PAY-20260101000000-FLW00009', 1050));
      const transaction = fake.pay('PAY-20260101000000-FLW00009');
      const request = {
        rawBody: Buffer.from(JSON.stringify(fake.chargeCompletedEvent(transaction.id as number))),
        headers: { 'verif-hash': fake.webhookHash },
      };
      await expect(flutterwave.verifyWebhook(request)).resolves.toBeUndefined();
      expect(flutterwave.parseWebhook(request)).toMatchObject({
        eventId: `charge.completed:${String(transaction.id)}:successful`,
        kind: 'payment',
        reference: 'PAY-20260101000000-FLW00009',
        paymentStatus: 'succeeded',
        amount: 1050,
      });
    });

    it.each([
      ['a wrong hash', { 'verif-hash': 'not-the-hash' }],
      [
        'a hash differing only in length',
        { 'verif-hash': 'fake-flutterwave-secret-hash-and-more' },
      ],
      ['no hash at all', {}],
    ])('refuses %s', async (_name, headers: Record<string, string>) => {
      await expect(
        flutterwave.verifyWebhook({ rawBody: Buffer.from('{}'), headers }),
      ).rejects.toBeInstanceOf(InvalidSignatureError);
    });
  });
});
