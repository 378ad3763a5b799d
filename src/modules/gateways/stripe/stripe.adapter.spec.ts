import Stripe from 'stripe';
import { AppConfig } from '../../../config/app-config.js';
import { fixtureBytes } from '../../../../test/fixtures/load-fixture.js';
import { InvalidSignatureError } from '../gateway.errors.js';
import { StripeAdapter } from './stripe.adapter.js';

const SECRET = 'whsec_unit_test_secret_0123456789';

describe('Stripe webhook signature (Stripe-Signature, 300 s tolerance)', () => {
  const adapter = new StripeAdapter(
    new AppConfig({
      STRIPE_SECRET_KEY: 'sk_test_unit',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_BASE_URL: 'http://127.0.0.1:9',
    }),
  );
  const body = fixtureBytes('stripe/checkout-session-completed.event.json');
  const signed = (timestamp: number, secret = SECRET) => ({
    rawBody: body,
    headers: {
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({
        payload: body.toString('utf8'),
        secret,
        timestamp,
      }),
    },
  });
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts a body signed by the SDK's own generateTestHeaderString", async () => {
    await expect(adapter.verifyWebhook(signed(now()))).resolves.toBeUndefined();
    expect(adapter.parseWebhook(signed(now())).eventId).toBe('evt_1NG8Du2eZvKYlo2CUI79vXWy');
  });

  it('accepts a signature four minutes old (inside the tolerance)', async () => {
    await expect(adapter.verifyWebhook(signed(now() - 240))).resolves.toBeUndefined();
  });

  it('refuses a correctly signed body whose timestamp is 10 minutes old', async () => {
    const error = await adapter
      .verifyWebhook(signed(now() - 600))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidSignatureError);
    expect(error).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
  });

  it('refuses a signature made with another secret, and a missing header', async () => {
    await expect(adapter.verifyWebhook(signed(now(), 'whsec_someone_else'))).rejects.toBeInstanceOf(
      InvalidSignatureError,
    );
    await expect(adapter.verifyWebhook({ rawBody: body, headers: {} })).rejects.toBeInstanceOf(
      InvalidSignatureError,
    );
  });

  it('refuses one changed byte in the body', async () => {
    const request = signed(now());
    const tampered = Buffer.from(request.rawBody.toString('utf8').replace('2198', '2199'));
    await expect(adapter.verifyWebhook({ ...request, rawBody: tampered })).rejects.toBeInstanceOf(
      InvalidSignatureError,
    );
  });
});
