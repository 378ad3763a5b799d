import { loadFixture } from '../../../test/fixtures/load-fixture.js';
import { AppConfig } from '../../config/app-config.js';
import { withoutCardData } from './card-data.js';
import { mapFlutterwaveEvent } from './flutterwave/flutterwave.mapper.js';
import { PaystackAdapter } from './paystack/paystack.adapter.js';
import { mapPayPalEvent } from './paypal/paypal.mapper.js';
import { mapStripeEvent } from './stripe/stripe.mapper.js';

type Json = Record<string, unknown>;

const paystack = new PaystackAdapter(new AppConfig({ PAYSTACK_SECRET_KEY: 'sk_test_x' }));
const parsePaystack = (body: Json) =>
  paystack.parseWebhook({ rawBody: Buffer.from(JSON.stringify(body)), headers: {} });

function stored(body: Json): Json {
  return withoutCardData(structuredClone(body)) as Json;
}

/** Documented card fields Stripe puts on a charge (https://docs.stripe.com/api/charges/object). */
function stripeChargeWithCard(): Json {
  const event = loadFixture('stripe/charge-succeeded.event.json');
  const charge = (event.data as Json).object as Json;
  charge.payment_method_details = {
    type: 'card',
    card: {
      brand: 'visa',
      last4: '4242',
      exp_month: 8,
      exp_year: 2031,
      fingerprint: 'Xt5EWLLDS7FJjR1c',
      funding: 'credit',
      network: 'visa',
    },
  };
  charge.source = { id: 'card_1MmlLr', object: 'card', last4: '4242', exp_month: 8 };
  return event;
}

/** An approved order paid by card, as PayPal documents payment_source (Orders v2). */
function paypalOrderWithCard(): Json {
  const event = loadFixture('paypal/checkout-order-approved.webhook.json');
  (event.resource as Json).payment_source = {
    card: { name: 'John Doe', last_digits: '1881', expiry: '2031-08', brand: 'VISA' },
    vault: { id: 'nkq2y9g', status: 'VAULTED' },
  };
  return event;
}

describe('withoutCardData: what is kept of a gateway webhook', () => {
  it('drops Paystack’s authorization (reusable authorization_code, bin, last4, expiry, signature) and keeps what processing reads', () => {
    const event = loadFixture('paystack/charge-success-event.json');
    const kept = stored(event);
    const text = JSON.stringify(kept);
    for (const value of ['AUTH_f5rnfq9p', '539999', '"8877"', '"2020"', 'authorization'])
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    expect((kept.data as Json).reference).toBe('qTPrJoy9Bx');
    expect(parsePaystack(kept)).toEqual(parsePaystack(event));
  });

  it.each(['charge-completed-successful', 'charge-completed-failed'])(
    'drops Flutterwave’s card from %s',
    (name) => {
      const event = loadFixture(`flutterwave/${name}.webhook.json`);
      const card = (event.data as Json).card as Json;
      const kept = stored(event);
      const text = JSON.stringify(kept);
      expect((kept.data as Json).card).toBeUndefined();
      expect(text).not.toContain(String(card.first_6digits));
      expect(text).not.toContain(String(card.expiry));
      expect(mapFlutterwaveEvent(kept)).toEqual(mapFlutterwaveEvent(event));
    },
  );

  it('drops Stripe’s payment_method_details, legacy card source, payment_method and client_secret', () => {
    const charge = stripeChargeWithCard();
    const kept = stored(charge);
    const object = (kept.data as Json).object as Json;
    expect(object.payment_method_details).toBeUndefined();
    expect(object.source).toBeUndefined();
    expect(object.payment_method).toBeUndefined();
    expect(JSON.stringify(kept)).not.toContain('4242');
    expect(mapStripeEvent(kept)).toEqual(mapStripeEvent(charge));

    const intent = loadFixture('stripe/payment-intent-succeeded.event.json');
    const keptIntent = stored(intent);
    expect(JSON.stringify(keptIntent)).not.toContain('_secret_');
    expect(mapStripeEvent(keptIntent)).toEqual(mapStripeEvent(intent));
  });

  it('drops PayPal’s payment_source (card digits, expiry, vault id)', () => {
    const order = paypalOrderWithCard();
    const kept = stored(order);
    expect((kept.resource as Json).payment_source).toBeUndefined();
    expect(JSON.stringify(kept)).not.toMatch(/1881|nkq2y9g|2031-08/);
    expect(mapPayPalEvent(kept)).toEqual(mapPayPalEvent(order));
    const capture = loadFixture('paypal/payment-capture-completed.webhook.json');
    expect(stored(capture)).toEqual(capture);
  });

  it('keeps a body with no card data as it is, and a string `source`', () => {
    const refund = loadFixture('paystack/refund-processed-event.json');
    expect(stored(refund)).toEqual(refund);
    expect(withoutCardData({ data: { source: 'balance' } })).toEqual({
      data: { source: 'balance' },
    });
  });
});
