import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import { mapStripeDispute, mapStripeDisputeStatus } from './stripe-disputes.js';
import { mapStripeEvent } from './stripe.mapper.js';

describe('Stripe dispute mapping', () => {
  const recorded = loadFixture('stripe/dispute.json');

  it('maps the documented Dispute object', () => {
    expect(mapStripeDispute(recorded)).toEqual({
      gatewayDisputeId: 'du_1MtJUT2eZvKYlo2CNaw2HvEv',
      reference: undefined,
      gatewayPaymentId: undefined,
      amount: 1000,
      currency: 'USD',
      reason: 'general',
      status: 'open',
      gatewayStatus: 'warning_needs_response',
      dueBy: new Date(1682294399 * 1000),
    });
  });

  it('reads our reference from an expanded payment intent', () => {
    const mapped = mapStripeDispute({
      ...recorded,
      payment_intent: { id: 'pi_1', metadata: { reference: 'PAY-20260122123456-AB12CD34' } },
    });
    expect(mapped).toMatchObject({
      gatewayPaymentId: 'pi_1',
      reference: 'PAY-20260122123456-AB12CD34',
    });
  });

  it('maps every Stripe status to ours', () => {
    expect(
      [
        'warning_needs_response',
        'needs_response',
        'warning_under_review',
        'under_review',
        'warning_closed',
        'won',
        'lost',
      ].map(mapStripeDisputeStatus),
    ).toEqual(['open', 'open', 'under_review', 'under_review', 'won', 'won', 'lost']);
  });

  it('turns charge.dispute.* events into dispute events naming the dispute', () => {
    const event = mapStripeEvent({
      id: 'evt_1',
      type: 'charge.dispute.closed',
      data: { object: recorded },
    });
    expect(event).toEqual({
      eventId: 'evt_1',
      type: 'charge.dispute.closed',
      kind: 'dispute',
      disputeId: 'du_1MtJUT2eZvKYlo2CNaw2HvEv',
      selfAuthenticating: false,
    });
  });
});
