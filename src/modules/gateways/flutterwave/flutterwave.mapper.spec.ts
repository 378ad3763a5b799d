import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import { mapFlutterwaveEvent, mapRefund, mapTransaction } from './flutterwave.mapper.js';

describe('Flutterwave mappers on recorded payloads', () => {
  it('maps the documented successful charge.completed: major 100 NGN → 10000 kobo, id derived from type+id+status', () => {
    expect(
      mapFlutterwaveEvent(loadFixture('flutterwave/charge-completed-successful.webhook.json')),
    ).toEqual({
      eventId: 'charge.completed:285959875:successful',
      type: 'charge.completed',
      kind: 'payment',
      reference: 'Links-616626414629',
      gatewayPaymentId: '285959875',
      paymentStatus: 'succeeded',
      amount: 10_000,
      currency: 'NGN',
      selfAuthenticating: false,
    });
  });

  it('maps the documented failed charge.completed (same event name, outcome in data.status) to failed', () => {
    expect(
      mapFlutterwaveEvent(loadFixture('flutterwave/charge-completed-failed.webhook.json')),
    ).toMatchObject({
      eventId: 'charge.completed:408136545:failed',
      kind: 'payment',
      reference: 'WOOC_1_TEST',
      paymentStatus: 'failed',
      amount: 10_000_000,
    });
  });

  it('gives the success and the failure of one transaction different event ids, and a resend the same id', () => {
    const success = loadFixture('flutterwave/charge-completed-successful.webhook.json');
    const failed = structuredClone(success);
    (failed.data as Record<string, unknown>).status = 'failed';
    expect(mapFlutterwaveEvent(success).eventId).not.toBe(mapFlutterwaveEvent(failed).eventId);
    expect(mapFlutterwaveEvent(structuredClone(success)).eventId).toBe(
      mapFlutterwaveEvent(success).eventId,
    );
  });

  it('ignores other event types', () => {
    expect(
      mapFlutterwaveEvent({ event: 'subscription.cancelled', data: { id: 1, status: 'cancelled' } })
        .kind,
    ).toBe('ignored');
  });

  it('maps the documented verify response to succeeded, 100 NGN → 10000, with the transaction id for refunds', () => {
    expect(
      mapTransaction(
        loadFixture('flutterwave/verify-transaction-successful.json').data as Record<
          string,
          unknown
        >,
      ),
    ).toEqual({
      status: 'succeeded',
      reference: 'LiveCardTest',
      amount: 10_000,
      currency: 'NGN',
      gatewayPaymentId: '288200108',
      gatewayChargeId: '288200108',
      failureReason: undefined,
    });
  });

  it('converts fractional major amounts exactly and refuses more decimals than the currency has', () => {
    const data = loadFixture('flutterwave/verify-transaction-successful.json').data as Record<
      string,
      unknown
    >;
    expect(mapTransaction({ ...data, amount: 1050.1 }).amount).toBe(105_010);
    expect(mapTransaction({ ...data, amount: 0.29 }).amount).toBe(29);
    expect(mapTransaction({ ...data, currency: 'UGX', amount: 1500 }).amount).toBe(1500);
    expect(() => mapTransaction({ ...data, amount: 10.555 })).toThrow(RangeError);
  });

  it('maps pending and cancelled transactions so they stay open or count as abandoned', () => {
    const data = loadFixture('flutterwave/verify-transaction-successful.json').data as Record<
      string,
      unknown
    >;
    expect(mapTransaction({ ...data, status: 'pending' }).status).toBe('pending');
    expect(mapTransaction({ ...data, status: 'cancelled' }).status).toBe('abandoned');
  });

  it('maps the documented refund response (status completed) to succeeded', () => {
    expect(
      mapRefund(loadFixture('flutterwave/refund-transaction.json').data as Record<string, unknown>),
    ).toEqual({
      status: 'succeeded',
      gatewayRefundId: '75923',
      failureReason: undefined,
    });
  });
});
