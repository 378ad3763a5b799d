import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import { mapPayPalDispute, mapPayPalDisputeStatus } from './paypal-disputes.js';
import { mapPayPalEvent } from './paypal.mapper.js';

describe('PayPal dispute mapping', () => {
  const recorded = loadFixture('paypal/dispute.json');

  it('maps the documented dispute: amount in minor units, our reference from custom', () => {
    expect(mapPayPalDispute(recorded)).toEqual({
      gatewayDisputeId: 'PP-D-27803',
      reference: 'PAY-20260119100000-AB12CD34',
      gatewayPaymentId: '3BC38643YC807283D',
      amount: 2500,
      currency: 'USD',
      reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED',
      status: 'open',
      gatewayStatus: 'WAITING_FOR_SELLER_RESPONSE',
      dueBy: new Date('2026-01-30T11:20:00.000Z'),
    });
  });

  it('maps outcomes: buyer favour and accepted are lost, the rest of the resolutions won', () => {
    expect(mapPayPalDisputeStatus('RESOLVED', 'RESOLVED_BUYER_FAVOUR')).toBe('lost');
    expect(mapPayPalDisputeStatus('RESOLVED', 'ACCEPTED')).toBe('lost');
    expect(mapPayPalDisputeStatus('RESOLVED', 'RESOLVED_SELLER_FAVOUR')).toBe('won');
    expect(mapPayPalDisputeStatus('RESOLVED', 'CANCELED_BY_BUYER')).toBe('won');
    expect(mapPayPalDisputeStatus('UNDER_REVIEW', undefined)).toBe('under_review');
    expect(mapPayPalDisputeStatus('WAITING_FOR_BUYER_RESPONSE', undefined)).toBe('open');
  });

  it('turns CUSTOMER.DISPUTE.* webhooks into dispute events', () => {
    expect(
      mapPayPalEvent({
        id: 'WH-1',
        event_type: 'CUSTOMER.DISPUTE.UPDATED',
        resource: recorded,
      }),
    ).toEqual({
      eventId: 'WH-1',
      type: 'CUSTOMER.DISPUTE.UPDATED',
      kind: 'dispute',
      disputeId: 'PP-D-27803',
      selfAuthenticating: false,
    });
  });
});
