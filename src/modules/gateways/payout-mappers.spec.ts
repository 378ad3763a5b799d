import { loadFixture } from '../../../test/fixtures/load-fixture.js';
import { AppConfig } from '../../config/app-config.js';
import {
  mapFlutterwaveEvent,
  mapTransferStatus as flutterwaveStatus,
} from './flutterwave/flutterwave.mapper.js';
import {
  mapTransferStatus as paystackStatus,
  PaystackAdapter,
  paystackTransferReference,
} from './paystack/paystack.adapter.js';

function paystackEvent(name: string): Buffer {
  const body = loadFixture(`paystack/${name}.json`);
  delete body._source;
  return Buffer.from(JSON.stringify(body));
}

describe('payout (transfer) mappers on recorded payloads', () => {
  const paystack = new PaystackAdapter(new AppConfig({ PAYSTACK_SECRET_KEY: 'sk_test_x' }));

  it.each([
    [
      'transfer-success-event',
      'transfer.success',
      'succeeded',
      'acv_9ee55786-2323-4760-98e2-6380c9cb3f68',
      100_000,
    ],
    ['transfer-failed-event', 'transfer.failed', 'failed', '1976435206', 200_000],
    ['transfer-reversed-event', 'transfer.reversed', 'reversed', 'jvrjckwenm', 10_000],
  ])(
    'reads Paystack %s as a payout event with its reference and status',
    (name, type, status, reference, amount) => {
      const event = paystack.parseWebhook({ rawBody: paystackEvent(name), headers: {} });
      expect(event).toMatchObject({
        type,
        kind: 'payout',
        reference,
        transferStatus: status,
        amount,
        currency: 'NGN',
        selfAuthenticating: false,
      });
      expect(event.eventId).toMatch(
        new RegExp(
          `^${type.replace('.', '\\.')}\\.TRF_[a-z0-9]+\\.${status === 'succeeded' ? 'success' : status}$`,
        ),
      );
    },
  );

  it('maps Paystack transfer statuses: only success, failed/abandoned and reversed are conclusive', () => {
    expect(paystackStatus('success')).toBe('succeeded');
    expect(paystackStatus('failed')).toBe('failed');
    expect(paystackStatus('abandoned')).toBe('failed');
    expect(paystackStatus('reversed')).toBe('reversed');
    expect(paystackStatus('otp')).toBe('otp');
    expect(paystackStatus('pending')).toBe('pending');
    expect(paystackStatus('received')).toBe('pending');
  });

  it('lowercases our reference for Paystack, which asks for lowercase transfer references', () => {
    expect(paystackTransferReference('WDR-20260122123456-AB12CD34')).toBe(
      'wdr-20260122123456-ab12cd34',
    );
  });

  it('reads the documented Flutterwave transfer.completed: major 30020 NGN → 3002000 kobo', () => {
    expect(
      mapFlutterwaveEvent(loadFixture('flutterwave/transfer-completed-successful.webhook.json')),
    ).toEqual({
      eventId: 'transfer.completed:33286:successful',
      type: 'transfer.completed',
      kind: 'payout',
      reference: 'a0a827b1eca65311_PMCKDU_5',
      transferStatus: 'succeeded',
      amount: 3_002_000,
      currency: 'NGN',
      selfAuthenticating: false,
    });
  });

  it('maps Flutterwave transfer statuses: NEW and PENDING are not conclusive', () => {
    expect(flutterwaveStatus('SUCCESSFUL')).toBe('succeeded');
    expect(flutterwaveStatus('FAILED')).toBe('failed');
    expect(flutterwaveStatus('NEW')).toBe('pending');
    expect(flutterwaveStatus('PENDING')).toBe('pending');
    expect(flutterwaveStatus(undefined)).toBe('pending');
  });
});
