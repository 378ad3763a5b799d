import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig } from '../../../config/app-config.js';
import { InvalidSignatureError } from '../gateway.errors.js';
import { isValidPaystackSignature, paystackSignature } from './paystack-signature.js';
import { mapTransactionStatus, PaystackAdapter } from './paystack.adapter.js';

function fixture(name: string): Record<string, unknown> {
  const parsed = JSON.parse(
    readFileSync(resolve(process.cwd(), 'test/fixtures/paystack', `${name}.json`), 'utf8'),
  ) as Record<string, unknown>;
  delete parsed._source;
  return parsed;
}

const vector = fixture('signature-vector') as {
  secret_key: string;
  raw_body: string;
  x_paystack_signature: string;
};

describe('Paystack webhook signature', () => {
  it('matches the OpenSSL-computed HMAC-SHA512 vector', () => {
    expect(paystackSignature(Buffer.from(vector.raw_body), vector.secret_key)).toBe(
      vector.x_paystack_signature,
    );
    expect(
      isValidPaystackSignature(
        Buffer.from(vector.raw_body),
        vector.x_paystack_signature,
        vector.secret_key,
      ),
    ).toBe(true);
  });

  it('accepts the signature in upper case hex', () => {
    expect(
      isValidPaystackSignature(
        Buffer.from(vector.raw_body),
        vector.x_paystack_signature.toUpperCase(),
        vector.secret_key,
      ),
    ).toBe(true);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['a truncated signature', vector.x_paystack_signature.slice(0, 64)],
    [
      'one changed digit',
      `${vector.x_paystack_signature.slice(0, -1)}${vector.x_paystack_signature.endsWith('0') ? '1' : '0'}`,
    ],
    ['non-hex text', 'z'.repeat(128)],
  ])('refuses %s', (_, header) => {
    expect(isValidPaystackSignature(Buffer.from(vector.raw_body), header, vector.secret_key)).toBe(
      false,
    );
  });

  it('refuses the right signature over a body changed by one byte, and the right body under another key', () => {
    expect(
      isValidPaystackSignature(
        Buffer.from(vector.raw_body.replace('10000', '10001')),
        vector.x_paystack_signature,
        vector.secret_key,
      ),
    ).toBe(false);
    expect(
      isValidPaystackSignature(
        Buffer.from(vector.raw_body),
        vector.x_paystack_signature,
        `${vector.secret_key}x`,
      ),
    ).toBe(false);
  });
});

describe('PaystackAdapter webhooks', () => {
  const adapter = new PaystackAdapter(new AppConfig({ PAYSTACK_SECRET_KEY: vector.secret_key }));

  it('rejects an unsigned request with InvalidSignatureError', async () => {
    await expect(
      adapter.verifyWebhook({ rawBody: Buffer.from(vector.raw_body), headers: {} }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(
      adapter.verifyWebhook({
        rawBody: Buffer.from(vector.raw_body),
        headers: { 'x-paystack-signature': vector.x_paystack_signature },
      }),
    ).resolves.toBeUndefined();
  });

  it("normalizes Paystack's documented charge.success sample, deriving the event id from type, id and status", () => {
    const event = adapter.parseWebhook({
      rawBody: Buffer.from(JSON.stringify(fixture('charge-success-event'))),
      headers: {},
    });
    expect(event).toEqual({
      eventId: 'charge.success.302961.success',
      type: 'charge.success',
      kind: 'payment',
      reference: 'qTPrJoy9Bx',
      gatewayPaymentId: '302961',
      paymentStatus: 'succeeded',
      amount: 10000,
      currency: 'NGN',
      selfAuthenticating: false,
    });
  });

  it.each([
    [
      'refund-processed-event',
      'succeeded',
      'T2154954_412829_3be32076_6lcg3',
      5000,
      'refund.processed.132013318360.processed',
    ],
    [
      'refund-failed-event',
      'failed',
      'T9171231_412325_3be2736c_n6tml',
      20000,
      'refund.failed.TRF_9vgfawjnoz58uxy.failed',
    ],
    [
      'refund-pending-event',
      'pending',
      'tvunjbbd_412829_4b18075d_c7had',
      10000,
      'refund.pending.tvunjbbd_412829_4b18075d_c7had-10000.pending',
    ],
  ])(
    "normalizes Paystack's documented %s (amounts sent as strings too)",
    (name, refundStatus, reference, amount, eventId) => {
      const event = adapter.parseWebhook({
        rawBody: Buffer.from(JSON.stringify(fixture(name))),
        headers: {},
      });
      expect(event).toMatchObject({
        kind: 'refund',
        refundStatus,
        reference,
        amount,
        currency: 'NGN',
        eventId,
        selfAuthenticating: false,
      });
    },
  );

  it('reads our refund id back from merchant_note', () => {
    const body = fixture('refund-processed-event') as { data: Record<string, unknown> };
    body.data.merchant_note = 'refund:7b1d1a0e-2f59-4d7e-9a0b-3f0b7c1c2d3e';
    expect(
      adapter.parseWebhook({ rawBody: Buffer.from(JSON.stringify(body)), headers: {} }).refundId,
    ).toBe('7b1d1a0e-2f59-4d7e-9a0b-3f0b7c1c2d3e');
  });

  it('marks other events ignored and refuses bodies that are not Paystack events', () => {
    const other = adapter.parseWebhook({
      rawBody: Buffer.from(
        '{"event":"subscription.create","data":{"id":37272792,"status":"active"}}',
      ),
      headers: {},
    });
    expect(other).toMatchObject({
      kind: 'ignored',
      eventId: 'subscription.create.37272792.active',
    });
    expect(() => adapter.parseWebhook({ rawBody: Buffer.from('[1,2]'), headers: {} })).toThrow(
      SyntaxError,
    );
  });

  it.each([
    ['success', 'succeeded'],
    ['failed', 'failed'],
    ['reversed', 'failed'],
    ['abandoned', 'abandoned'],
    ['ongoing', 'pending'],
    ['pending', 'pending'],
    ['queued', 'pending'],
  ])('maps a %s transaction to %s', (paystack, ours) => {
    expect(mapTransactionStatus(paystack)).toBe(ours);
  });

  it('supports exactly NGN, GHS, ZAR, KES and USD', () => {
    expect(
      ['NGN', 'GHS', 'ZAR', 'KES', 'USD'].every((currency) => adapter.supportsCurrency(currency)),
    ).toBe(true);
    expect(['EUR', 'GBP', 'XOF'].some((currency) => adapter.supportsCurrency(currency))).toBe(
      false,
    );
  });
});
