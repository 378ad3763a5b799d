import type { Payment } from '../api/schema';
import { countByStatusSince } from './payment-summary';

function payment(status: string, createdAt: string): Payment {
  return {
    reference: `PAY-${createdAt}`,
    gateway: 'paystack',
    purpose: 'payment',
    status,
    amount: 1000,
    currency: 'NGN',
    amount_received: null,
    amount_refunded: 0,
    refund_status: 'none',
    email: 'a@example.com',
    callback_url: null,
    metadata: null,
    order_id: null,
    authorization_url: null,
    access_code: null,
    failure_reason: null,
    review_reason: null,
    created_at: createdAt,
    updated_at: createdAt,
    settled_at: null,
    expires_at: createdAt,
    livemode: true,
  };
}

const since = new Date('2026-03-10T00:00:00.000Z');

describe('countByStatusSince', () => {
  it('counts only payments created since the start of the day, newest first', () => {
    const result = countByStatusSince(
      [
        {
          payments: [
            payment('succeeded', '2026-03-10T09:00:00.000Z'),
            payment('failed', '2026-03-10T08:00:00.000Z'),
            payment('succeeded', '2026-03-10T00:00:00.000Z'),
            payment('succeeded', '2026-03-09T23:59:59.999Z'),
          ],
          next_cursor: 'more',
        },
      ],
      since,
    );
    expect(result).toEqual({ counts: { succeeded: 2, failed: 1 }, total: 3, complete: true });
  });

  it('is complete when the list ended, and a lower bound when pages ran out first', () => {
    const today = [payment('pending', '2026-03-10T10:00:00.000Z')];
    expect(countByStatusSince([{ payments: today, next_cursor: null }], since).complete).toBe(true);
    expect(countByStatusSince([{ payments: today, next_cursor: 'c2' }], since).complete).toBe(
      false,
    );
    expect(countByStatusSince([], since)).toEqual({ counts: {}, total: 0, complete: true });
  });
});
