import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import { mapCapture, mapOrder, mapPayPalEvent, mapRefund } from './paypal.mapper.js';

describe('PayPal mappers on recorded payloads', () => {
  it('maps the documented CHECKOUT.ORDER.APPROVED as a pending payment of the order (capture happens on verify)', () => {
    expect(mapPayPalEvent(loadFixture('paypal/checkout-order-approved.webhook.json'))).toEqual({
      eventId: 'WH-COC11055RA711503B-4YM959094A144403T',
      type: 'CHECKOUT.ORDER.APPROVED',
      kind: 'payment',
      reference: 'd9f80740-38f0-11e8-b467-0ed5f89f718b',
      gatewayPaymentId: '5O190127TN364715T',
      paymentStatus: 'pending',
      amount: 10_000,
      currency: 'USD',
      selfAuthenticating: false,
    });
  });

  it('maps PAYMENT.CAPTURE.COMPLETED to succeeded with the order id from supplementary_data', () => {
    expect(
      mapPayPalEvent(loadFixture('paypal/payment-capture-completed.webhook.json')),
    ).toMatchObject({
      eventId: 'WH-652880104N329422Y-06P85183JY752714D',
      kind: 'payment',
      reference: 'PAY-20260122123456-AB12CD34',
      gatewayPaymentId: '10581139X0233013B',
      paymentStatus: 'succeeded',
      amount: 2112,
      currency: 'USD',
    });
  });

  it('maps the documented PAYMENT.CAPTURE.DENIED to failed (MXN 600.99 → 60099)', () => {
    expect(mapPayPalEvent(loadFixture('paypal/payment-capture-denied.webhook.json'))).toMatchObject(
      {
        kind: 'payment',
        reference: 'Custom-1234',
        paymentStatus: 'failed',
        amount: 60_099,
        currency: 'MXN',
      },
    );
  });

  it('maps PAYMENT.CAPTURE.REFUNDED to a refund event carrying our refund id from custom_id', () => {
    expect(
      mapPayPalEvent(loadFixture('paypal/payment-capture-refunded.webhook.json')),
    ).toMatchObject({
      kind: 'refund',
      reference: 'PAY-20260122123456-AB12CD34',
      refundId: '0b9d3a5e-2c1f-4f7e-9a44-5d2e8f1a7c10',
      gatewayRefundId: '1JU08902781691411',
      refundStatus: 'succeeded',
      amount: 1099,
    });
  });

  it('ignores other event types', () => {
    expect(
      mapPayPalEvent({ id: 'WH-1', event_type: 'CUSTOMER.DISPUTE.CREATED', resource: {} }).kind,
    ).toBe('ignored');
  });

  it('maps the documented captured order to succeeded with the capture id as the charge', () => {
    expect(mapOrder(loadFixture('paypal/order-captured.json'))).toEqual({
      status: 'succeeded',
      reference: 'd9f80740-38f0-11e8-b467-0ed5f89f718b',
      amount: 10_000,
      currency: 'USD',
      gatewayPaymentId: '5O190127TN364715T',
      gatewayChargeId: '3C679366HH908993F',
      failureReason: undefined,
    });
  });

  it('lets a DECLINED capture decide although the order says COMPLETED', () => {
    expect(mapOrder(loadFixture('paypal/order-captured-declined.json'))).toMatchObject({
      status: 'failed',
      failureReason: 'DECLINED_BY_RISK_FRAUD_FILTERS',
      gatewayChargeId: '3C679366HH908993F',
    });
  });

  it('reads a created order awaiting the payer as pending', () => {
    expect(mapOrder(loadFixture('paypal/order-created.json'))).toMatchObject({
      status: 'pending',
      gatewayPaymentId: '5O190127TN364715T',
    });
  });

  it('maps refund statuses', () => {
    const refund = loadFixture('paypal/payment-capture-refunded.webhook.json').resource as Record<
      string,
      unknown
    >;
    expect(mapRefund(refund)).toEqual({
      status: 'succeeded',
      gatewayRefundId: '1JU08902781691411',
      failureReason: undefined,
    });
    expect(mapRefund({ ...refund, status: 'PENDING' }).status).toBe('processing');
    expect(mapRefund({ ...refund, status: 'FAILED' })).toMatchObject({ status: 'failed' });
  });
});

describe('PayPal manual capture on recorded payloads', () => {
  const REF = 'PAY-20260122123456-AB12CD34';

  it('reads an authorized order (intent AUTHORIZE) as authorized, keeping the authorization id apart from the charge', () => {
    expect(mapOrder(loadFixture('paypal/order-authorized.json'))).toEqual({
      status: 'authorized',
      reference: REF,
      amount: 10_000,
      currency: 'USD',
      gatewayPaymentId: '5O190127TN364715T',
      gatewayAuthorizationId: '0AW2184448108334S',
      failureReason: undefined,
    });
  });

  it.each(['VOIDED', 'EXPIRED', 'DENIED'])('reads a %s authorization as canceled', (status) => {
    const order = loadFixture('paypal/order-authorized.json');
    const unit = (order.purchase_units as Record<string, unknown>[])[0];
    const payments = unit.payments as { authorizations: Record<string, unknown>[] };
    payments.authorizations[0].status = status;
    expect(mapOrder(order)).toMatchObject({ status: 'canceled' });
  });

  it('reads the capture of an authorization as succeeded for the captured part, the capture as the charge', () => {
    expect(mapCapture(loadFixture('paypal/authorization-captured.json'))).toMatchObject({
      status: 'succeeded',
      reference: REF,
      amount: 7_550,
      currency: 'USD',
      gatewayPaymentId: '5O190127TN364715T',
      gatewayChargeId: '2GG279541U471931P',
    });
  });

  it('maps PAYMENT.AUTHORIZATION.CREATED to an authorization of our payment and its order', () => {
    expect(
      mapPayPalEvent(loadFixture('paypal/payment-authorization-created.webhook.json')),
    ).toMatchObject({
      kind: 'payment',
      reference: REF,
      gatewayPaymentId: '5O190127TN364715T',
      paymentStatus: 'authorized',
      amount: 10_000,
      currency: 'USD',
    });
  });
});
