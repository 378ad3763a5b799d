import { loadFixture } from '../../../../test/fixtures/load-fixture.js';
import {
  mapFlutterwaveChargeback,
  mapFlutterwaveChargebackStatus,
} from './flutterwave-chargebacks.js';

describe('Flutterwave chargeback mapping', () => {
  const [recorded] = (
    loadFixture('flutterwave/chargebacks-list-response.json') as {
      data: Record<string, unknown>[];
    }
  ).data;

  it('maps a listed chargeback, its major-unit amount converted with the transaction currency', () => {
    expect(
      mapFlutterwaveChargeback(recorded, {
        reference: 'PAY-20260120000000-AB12CD34',
        currency: 'NGN',
      }),
    ).toEqual({
      gatewayDisputeId: '1428',
      reference: 'PAY-20260120000000-AB12CD34',
      gatewayPaymentId: '288200108',
      amount: 50_000,
      currency: 'NGN',
      reason: 'The customer says the goods were not delivered',
      status: 'open',
      gatewayStatus: 'pending:new',
      dueBy: new Date('2026-01-22T11:20:00.000Z'),
    });
  });

  it('maps statuses: declined is under review, accepted and lost are lost, won and reversed won', () => {
    expect(
      ['pending', 'initiated', 'declined', 'accepted', 'lost', 'won', 'reversed'].map(
        mapFlutterwaveChargebackStatus,
      ),
    ).toEqual(['open', 'open', 'under_review', 'lost', 'lost', 'won', 'won']);
  });
});
