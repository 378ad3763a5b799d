import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import {
  mapCheckoutSession,
  mapManualPaymentIntent,
  mapRefund,
  mapStripeEvent,
} from './stripe.mapper.js';

const REF = 'PAY-20260122123456-AB12CD34';

describe('Stripe mappers on recorded payloads', () => {
  describe('Checkout Session → VerifyResult', () => {
    it('reads the documented open, unpaid session as pending with amount in minor units and upper-case currency', () => {
      expect(mapCheckoutSession(loadFixture('stripe/checkout-session-open.json'))).toEqual({
        status: 'pending',
        reference: undefined,
        amount: 2198,
        currency: 'USD',
        gatewayPaymentId: 'cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u',
        gatewayChargeId: undefined,
        failureReason: undefined,
      });
    });

    it('reads a complete, paid session as succeeded with the expanded payment intent as the charge', () => {
      expect(
        mapCheckoutSession(loadFixture('stripe/checkout-session-paid-expanded.json')),
      ).toMatchObject({
        status: 'succeeded',
        reference: REF,
        amount: 2198,
        currency: 'USD',
        gatewayChargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      });
    });

    it('reads an expired session with a declined attempt as failed, with the decline message', () => {
      expect(
        mapCheckoutSession(loadFixture('stripe/checkout-session-expired-declined.json')),
      ).toMatchObject({
        status: 'failed',
        reference: REF,
        failureReason: 'Your card was declined.',
      });
    });

    it('reads an expired session nobody tried to pay as abandoned', () => {
      const session = { ...loadFixture('stripe/checkout-session-open.json'), status: 'expired' };
      expect(mapCheckoutSession(session).status).toBe('abandoned');
    });

    it('keeps a complete session whose asynchronous payment has not cleared pending', () => {
      const session = {
        ...loadFixture('stripe/checkout-session-open.json'),
        status: 'complete',
        payment_status: 'unpaid',
      };
      expect(mapCheckoutSession(session).status).toBe('pending');
    });
  });

  describe('events → NormalizedWebhookEvent', () => {
    it("maps checkout.session.completed with Stripe's event id and the session id", () => {
      expect(mapStripeEvent(loadFixture('stripe/checkout-session-completed.event.json'))).toEqual({
        eventId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy',
        type: 'checkout.session.completed',
        kind: 'payment',
        reference: REF,
        gatewayPaymentId: 'cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u',
        paymentStatus: 'succeeded',
        amount: 2198,
        currency: 'USD',
        selfAuthenticating: false,
      });
    });

    it('maps payment_intent.succeeded and payment_intent.payment_failed by the reference in metadata', () => {
      expect(
        mapStripeEvent(loadFixture('stripe/payment-intent-succeeded.event.json')),
      ).toMatchObject({
        kind: 'payment',
        reference: REF,
        paymentStatus: 'succeeded',
        amount: 2000,
        currency: 'USD',
      });
      expect(
        mapStripeEvent(loadFixture('stripe/payment-intent-payment-failed.event.json')),
      ).toMatchObject({
        kind: 'payment',
        reference: REF,
        paymentStatus: 'failed',
      });
    });

    it('ignores a charge event that carries no reference of ours (the documented charge has empty metadata)', () => {
      expect(mapStripeEvent(loadFixture('stripe/charge-succeeded.event.json'))).toEqual({
        eventId: 'evt_3MmlLrLkdIwHu7ix0aBcDeFg',
        type: 'charge.succeeded',
        kind: 'ignored',
        selfAuthenticating: false,
      });
    });

    it('maps charge.failed carrying our reference as a failed payment', () => {
      expect(mapStripeEvent(loadFixture('stripe/charge-failed.event.json'))).toMatchObject({
        kind: 'payment',
        reference: REF,
        paymentStatus: 'failed',
        amount: 1099,
      });
    });

    it('maps charge.refunded to its latest refund, with our refund id from metadata', () => {
      expect(mapStripeEvent(loadFixture('stripe/charge-refunded.event.json'))).toMatchObject({
        kind: 'refund',
        reference: REF,
        refundId: '0b9d3a5e-2c1f-4f7e-9a44-5d2e8f1a7c10',
        gatewayRefundId: 're_1Nispe2eZvKYlo2Cd31jOCgZ',
        refundStatus: 'succeeded',
        amount: 1000,
        currency: 'USD',
      });
    });

    it('maps refund.updated with a pending refund as still processing', () => {
      expect(mapStripeEvent(loadFixture('stripe/refund-updated.event.json'))).toMatchObject({
        kind: 'refund',
        refundId: '0b9d3a5e-2c1f-4f7e-9a44-5d2e8f1a7c10',
        refundStatus: 'processing',
      });
    });

    it('ignores event types we do not act on', () => {
      const event = {
        ...loadFixture('stripe/charge-succeeded.event.json'),
        type: 'customer.created',
      };
      expect(mapStripeEvent(event).kind).toBe('ignored');
    });
  });

  it('maps the documented refund object', () => {
    expect(mapRefund(loadFixture('stripe/refund.json'))).toEqual({
      status: 'succeeded',
      gatewayRefundId: 're_1Nispe2eZvKYlo2Cd31jOCgZ',
      failureReason: undefined,
    });
  });
});

describe('Stripe manual capture on recorded payloads', () => {
  const held = loadFixture('stripe/payment-intent-requires-capture.json');
  const session = (intent: Record<string, unknown>) => ({
    ...loadFixture('stripe/checkout-session-paid-expanded.json'),
    payment_status: 'unpaid',
    payment_intent: intent,
  });

  it('reads a completed manual session whose intent requires_capture as authorized for amount_capturable', () => {
    expect(mapCheckoutSession(session(held))).toMatchObject({
      status: 'authorized',
      reference: REF,
      amount: 2000,
      currency: 'USD',
      gatewayChargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
    });
  });

  it('reads a partly captured intent as succeeded for amount_received, not the session total', () => {
    expect(
      mapCheckoutSession({
        ...session(loadFixture('stripe/payment-intent-captured-partial.json')),
        payment_status: 'paid',
      }),
    ).toMatchObject({ status: 'succeeded', amount: 1500, reference: REF });
  });

  it('reads an intent Stripe canceled when its hold lapsed as canceled', () => {
    expect(
      mapManualPaymentIntent(loadFixture('stripe/payment-intent-canceled-automatic.json'), REF),
    ).toMatchObject({ status: 'canceled', failureReason: 'canceled (automatic)' });
  });

  it('maps payment_intent.amount_capturable_updated to an authorization of our payment', () => {
    expect(
      mapStripeEvent(loadFixture('stripe/payment-intent-amount-capturable-updated.event.json')),
    ).toMatchObject({
      kind: 'payment',
      reference: REF,
      paymentStatus: 'authorized',
      amount: 2000,
      currency: 'USD',
      selfAuthenticating: false,
    });
  });
});
