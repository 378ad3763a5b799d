import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import {
  mapPaystackDispute,
  mapPaystackDisputeStatus,
  paystackDisputeEvent,
} from './paystack-disputes.js';

describe('Paystack dispute mapping', () => {
  const recorded = loadFixture('paystack/dispute-create-event.json') as {
    data: Record<string, unknown>;
  };

  it('maps the documented Dispute object', () => {
    expect(mapPaystackDispute(recorded.data)).toEqual({
      gatewayDisputeId: '358950',
      reference: 'T2154954_412829_3be32076_6lcg3',
      gatewayPaymentId: '5991760',
      amount: 5000,
      currency: 'NGN',
      reason: 'chargeback',
      status: 'open',
      gatewayStatus: 'awaiting-merchant-feedback',
      dueBy: new Date('2026-01-23T11:20:00.000Z'),
    });
  });

  it('maps statuses and resolutions: declined is won, merchant-accepted is lost', () => {
    expect(mapPaystackDisputeStatus('awaiting-merchant-feedback', null)).toBe('open');
    expect(mapPaystackDisputeStatus('awaiting-bank-feedback', null)).toBe('under_review');
    expect(mapPaystackDisputeStatus('pending', null)).toBe('under_review');
    expect(mapPaystackDisputeStatus('resolved', 'declined')).toBe('won');
    expect(mapPaystackDisputeStatus('resolved', 'merchant-accepted')).toBe('lost');
  });

  it('derives one event id per dispute state (Paystack sends none)', () => {
    expect(paystackDisputeEvent('charge.dispute.create', recorded.data)).toEqual({
      eventId: 'charge.dispute.create.358950.awaiting-merchant-feedback',
      type: 'charge.dispute.create',
      kind: 'dispute',
      disputeId: '358950',
      reference: 'T2154954_412829_3be32076_6lcg3',
      selfAuthenticating: false,
    });
    expect(
      paystackDisputeEvent('charge.dispute.resolve', {
        ...recorded.data,
        status: 'resolved',
        resolution: 'declined',
      }).eventId,
    ).toBe('charge.dispute.resolve.358950.resolved.declined');
  });
});
