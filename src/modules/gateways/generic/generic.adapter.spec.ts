import type { DataSource } from 'typeorm';
import { Webhook } from 'standardwebhooks';
import type { DataKeyring } from '../../../common/crypto/data-keyring.js';
import { AppConfig } from '../../../config/app-config.js';
import { InvalidSignatureError } from '../gateway.errors.js';
import { GenericAdapter } from './generic.adapter.js';

// The Standard Webhooks specification's published example secret.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function adapter(env: Record<string, string> = {}): GenericAdapter {
  return new GenericAdapter(
    new AppConfig({ GENERIC_WEBHOOK_SECRET: SECRET, ...env }),
    {} as DataSource,
    {} as DataKeyring,
  );
}

function signed(
  body: string,
  id = 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  at = new Date(),
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(SECRET).sign(id, at, body),
  };
}

const body = JSON.stringify({
  transaction_id: 'PAY-20260122123456-AB12CD34',
  payment_id: 'gw_1',
  status: 'completed',
  amount: 5000,
  currency: 'usd',
});

describe('GenericAdapter', () => {
  it('accepts a Standard Webhooks signature and normalizes the event as its own truth', async () => {
    const request = { rawBody: Buffer.from(body), headers: signed(body) };
    await expect(adapter().verifyWebhook(request)).resolves.toBeUndefined();
    expect(adapter().parseWebhook(request)).toEqual({
      eventId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      type: 'payment.completed',
      kind: 'payment',
      reference: 'PAY-20260122123456-AB12CD34',
      gatewayPaymentId: 'gw_1',
      paymentStatus: 'succeeded',
      amount: 5000,
      currency: 'USD',
      selfAuthenticating: true,
    });
  });

  it.each([
    ['no signature', (h: Record<string, string>) => ({ ...h, 'webhook-signature': '' })],
    [
      'a signature over another id',
      (h: Record<string, string>) => ({ ...h, 'webhook-id': 'msg_other' }),
    ],
    ['a timestamp 10 minutes old', () => signed(body, 'msg_old', new Date(Date.now() - 600_000))],
  ])('refuses %s with InvalidSignatureError', async (_, headers) => {
    await expect(
      adapter().verifyWebhook({ rawBody: Buffer.from(body), headers: headers(signed(body)) }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it('refuses everything when no secret is configured outside development', async () => {
    const unconfigured = new GenericAdapter(
      new AppConfig({ NODE_ENV: 'test' }),
      {} as DataSource,
      {} as DataKeyring,
    );
    expect(unconfigured.isEnabled()).toBe(false);
    await expect(
      unconfigured.verifyWebhook({ rawBody: Buffer.from(body), headers: signed(body) }),
    ).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it.each([
    ['a fractional amount', { amount: 10.5 }],
    ['an unknown status', { status: 'pending' }],
    ['no transaction_id', { transaction_id: '' }],
  ])('refuses a signed body with %s', (_, change) => {
    const bad = JSON.stringify({ ...JSON.parse(body), ...change });
    expect(() =>
      adapter().parseWebhook({ rawBody: Buffer.from(bad), headers: signed(bad) }),
    ).toThrow(SyntaxError);
  });

  it('builds the authorization URL from GENERIC_CHECKOUT_URL, or sends the payer straight back without one', async () => {
    const input = {
      reference: 'PAY-20260122123456-AB12CD34',
      amount: 5000,
      currency: 'USD',
      email: 'a@b.c',
      returnUrl:
        'http://localhost:3000/api/v1/payments/callback?reference=PAY-20260122123456-AB12CD34',
    };
    const withCheckout = await adapter({
      GENERIC_CHECKOUT_URL: 'https://pay.example.com/checkout',
    }).initialize(input);
    const url = new URL(withCheckout.authorizationUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      reference: input.reference,
      amount: '5000',
      currency: 'USD',
      return_url: input.returnUrl,
    });
    expect((await adapter().initialize(input)).authorizationUrl).toBe(input.returnUrl);
  });

  it('signs bodies that its own verifier accepts (the CLI simulator)', async () => {
    const generic = adapter();
    const headers = generic.sign(body, 'msg_cli');
    await expect(
      generic.verifyWebhook({ rawBody: Buffer.from(body), headers: { ...headers } }),
    ).resolves.toBeUndefined();
  });
});
