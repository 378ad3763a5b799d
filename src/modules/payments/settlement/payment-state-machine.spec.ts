import { decidePayment, ExpectedPayment, GatewayReport } from './payment-state-machine.js';
import type { PaymentStatus } from '../payment.entity.js';

const expected: ExpectedPayment = {
  reference: 'PAY-20260122123456-AB12CD34',
  amount: 50_000,
  currency: 'NGN',
};
const paid: GatewayReport = {
  status: 'succeeded',
  reference: expected.reference,
  amount: 50_000,
  currency: 'NGN',
};
const live = { expired: false };
const expired = { expired: true };

describe('decidePayment', () => {
  it('settles a pending payment the gateway confirms for the requested amount and currency', () => {
    expect(decidePayment('pending', expected, paid, live)).toEqual({
      kind: 'transition',
      to: 'succeeded',
      amountReceived: 50_000,
    });
  });

  it.each([
    ['a smaller amount', { ...paid, amount: 40_000 }, /amount 40000 instead of 50000/],
    ['a larger amount', { ...paid, amount: 60_000 }, /amount 60000 instead of 50000/],
    ['another currency', { ...paid, currency: 'USD' }, /currency USD instead of NGN/],
    [
      'another reference',
      { ...paid, reference: 'PAY-20260122123456-ZZZZZZZZ' },
      /reference PAY-20260122123456-ZZZZZZZZ/,
    ],
    [
      'no amount',
      { status: 'succeeded' as const, reference: expected.reference, currency: 'NGN' },
      /no amount/,
    ],
  ])(
    'sends a payment reported paid with %s to needs_review instead of succeeded',
    (_, report, reason) => {
      const decision = decidePayment('pending', expected, report, live);
      expect(decision).toMatchObject({ kind: 'transition', to: 'needs_review' });
      expect(
        decision.kind === 'transition' && decision.to === 'needs_review' && decision.reviewReason,
      ).toMatch(reason);
    },
  );

  it('fails a pending payment the gateway reports failed', () => {
    expect(decidePayment('pending', expected, { status: 'failed' }, live)).toMatchObject({
      kind: 'transition',
      to: 'failed',
    });
  });

  it.each(['pending', 'abandoned', 'not_found'] as const)(
    'keeps a payment pending while the gateway reports %s and it has not expired',
    (status) => {
      expect(decidePayment('pending', expected, { status }, live)).toMatchObject({
        kind: 'unchanged',
        contradiction: false,
      });
    },
  );

  it.each(['pending', 'abandoned', 'not_found'] as const)(
    'abandons an expired payment the gateway reports %s',
    (status) => {
      expect(decidePayment('pending', expected, { status }, expired)).toMatchObject({
        kind: 'transition',
        to: 'abandoned',
      });
    },
  );

  it('abandons an expired payment when the gateway cannot be asked, and leaves a live one alone', () => {
    expect(decidePayment('pending', expected, null, expired)).toMatchObject({
      kind: 'transition',
      to: 'abandoned',
    });
    expect(decidePayment('pending', expected, null, live)).toMatchObject({ kind: 'unchanged' });
  });

  it.each(['failed', 'abandoned'] as const)(
    'moves a %s payment to succeeded when the gateway confirms the money was taken',
    (current) => {
      expect(decidePayment(current, expected, paid, expired)).toEqual({
        kind: 'transition',
        to: 'succeeded',
        amountReceived: 50_000,
      });
    },
  );

  it.each(['failed', 'abandoned'] as const)(
    'moves a %s payment to needs_review when the confirmed money disagrees',
    (current) => {
      expect(decidePayment(current, expected, { ...paid, amount: 1 }, expired)).toMatchObject({
        kind: 'transition',
        to: 'needs_review',
      });
    },
  );

  it.each([
    ['abandoned', 'failed'],
    ['failed', 'abandoned'],
    ['failed', 'failed'],
    ['abandoned', 'not_found'],
  ] as const)('leaves a %s payment alone when the gateway reports %s', (current, status) => {
    expect(decidePayment(current, expected, { status }, expired)).toMatchObject({
      kind: 'unchanged',
      contradiction: false,
    });
  });

  it.each(['failed', 'abandoned', 'not_found'] as const)(
    'never moves a succeeded payment, and flags a later %s report as a contradiction',
    (status) => {
      expect(decidePayment('succeeded', expected, { status }, live)).toMatchObject({
        kind: 'unchanged',
        contradiction: true,
      });
    },
  );

  it('treats a repeated confirmation of a succeeded payment as agreement', () => {
    expect(decidePayment('succeeded', expected, paid, live)).toMatchObject({
      kind: 'unchanged',
      contradiction: false,
    });
  });

  it('flags a later success for a different amount after success as a contradiction', () => {
    expect(decidePayment('succeeded', expected, { ...paid, amount: 1 }, live)).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
  });

  it.each(['succeeded', 'failed', 'abandoned', 'pending'] as const)(
    'never moves a needs_review payment on a %s report',
    (status) => {
      expect(decidePayment('needs_review', expected, { ...paid, status }, expired).kind).toBe(
        'unchanged',
      );
    },
  );

  it('ignores a failure reported for another reference', () => {
    expect(
      decidePayment(
        'pending',
        expected,
        { status: 'failed', reference: 'PAY-20260122123456-OTHER000' },
        live,
      ),
    ).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
  });

  it('never leaves a final state, whatever the report, across every combination', () => {
    const finals: PaymentStatus[] = ['succeeded', 'needs_review'];
    const reports: (GatewayReport | null)[] = [
      null,
      paid,
      { status: 'failed' },
      { status: 'abandoned' },
      { status: 'pending' },
      { status: 'not_found' },
      { ...paid, amount: 2 },
    ];
    for (const current of finals) {
      for (const report of reports) {
        for (const context of [live, expired])
          expect(decidePayment(current, expected, report, context).kind).toBe('unchanged');
      }
    }
  });

  it('never moves a payment an admin rejected, recording any report but a failure as a contradiction', () => {
    const reports: (GatewayReport | null)[] = [
      null,
      paid,
      { ...paid, amount: 60_000 },
      { status: 'failed' },
      { status: 'abandoned' },
      { status: 'pending' },
      { status: 'not_found' },
    ];
    for (const report of reports) {
      for (const context of [live, expired]) {
        const decision = decidePayment('failed', expected, report, { ...context, rejected: true });
        expect(decision).toEqual({
          kind: 'unchanged',
          reason: expect.stringMatching(/rejected on review/),
          contradiction: report !== null && report.status !== 'failed',
        });
      }
    }
  });

  it.each(['pending', 'failed', 'abandoned'] as const)(
    'sends a %s payment the gateway confirms to needs_review (ORDER_ALREADY_PAID) when its order is already paid',
    (current) => {
      expect(decidePayment(current, expected, paid, { ...live, orderAlreadyPaid: true })).toEqual({
        kind: 'transition',
        to: 'needs_review',
        reviewReason: 'ORDER_ALREADY_PAID',
      });
    },
  );
});

describe('decidePayment for a checkout session another payment completed', () => {
  it.each(['pending', 'failed', 'abandoned'] as const)(
    'sends a %s payment the gateway confirms to needs_review (CHECKOUT_SESSION_ALREADY_PAID)',
    (current) => {
      expect(decidePayment(current, expected, paid, { ...live, sessionAlreadyPaid: true })).toEqual(
        {
          kind: 'transition',
          to: 'needs_review',
          reviewReason: 'CHECKOUT_SESSION_ALREADY_PAID',
        },
      );
    },
  );

  it('names the order when both the order and the session were paid by another payment', () => {
    expect(
      decidePayment('pending', expected, paid, {
        ...live,
        orderAlreadyPaid: true,
        sessionAlreadyPaid: true,
      }),
    ).toMatchObject({ reviewReason: 'ORDER_ALREADY_PAID' });
  });

  it('leaves a failure alone: only money taken is checked against the session', () => {
    expect(
      decidePayment(
        'pending',
        expected,
        { status: 'failed' },
        { ...live, sessionAlreadyPaid: true },
      ),
    ).toMatchObject({ kind: 'transition', to: 'failed' });
  });
});

describe('decidePayment with manual capture (SPEC §15)', () => {
  const manual = { expired: false, manualCapture: true };
  const held: GatewayReport = { ...paid, status: 'authorized' };
  const capturing: ExpectedPayment = { ...expected, amountToCapture: 30_000 };

  it.each(['pending', 'failed', 'abandoned'] as const)(
    'authorizes a %s manual payment the gateway holds the requested amount for',
    (current) => {
      expect(decidePayment(current, expected, held, manual)).toEqual({
        kind: 'transition',
        to: 'authorized',
        amountAuthorized: 50_000,
      });
    },
  );

  it('never authorizes an automatic payment, whatever the gateway reports', () => {
    expect(decidePayment('pending', expected, held, live)).toMatchObject({ kind: 'unchanged' });
  });

  it('records, and does not apply, an authorization for another amount', () => {
    expect(decidePayment('pending', expected, { ...held, amount: 49_999 }, manual)).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
  });

  it('keeps an authorized payment authorized past our own expiry while the gateway still holds it', () => {
    const late = { expired: true, manualCapture: true };
    expect(decidePayment('authorized', expected, held, late)).toMatchObject({
      kind: 'unchanged',
      contradiction: false,
    });
    expect(decidePayment('authorized', expected, null, late)).toMatchObject({
      kind: 'unchanged',
    });
    expect(
      decidePayment('authorized', expected, { ...held, status: 'pending' }, late),
    ).toMatchObject({ kind: 'unchanged' });
  });

  it('settles a capture for what it asked for, not for the whole authorization', () => {
    expect(decidePayment('authorized', capturing, { ...paid, amount: 30_000 }, manual)).toEqual({
      kind: 'transition',
      to: 'succeeded',
      amountReceived: 30_000,
    });
    expect(decidePayment('authorized', capturing, paid, manual)).toMatchObject({
      kind: 'transition',
      to: 'needs_review',
      reviewReason: expect.stringMatching(/amount 50000 instead of 30000/) as unknown,
    });
  });

  it.each(['canceled', 'failed'] as const)(
    'cancels an authorized payment the gateway reports %s (voided or expired)',
    (status) => {
      expect(decidePayment('authorized', expected, { status }, manual)).toMatchObject({
        kind: 'transition',
        to: 'canceled',
      });
    },
  );

  it('moves a canceled payment only when the gateway confirms money was taken', () => {
    expect(decidePayment('canceled', expected, held, manual)).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
    expect(decidePayment('canceled', expected, { status: 'failed' }, manual)).toMatchObject({
      kind: 'unchanged',
    });
    expect(decidePayment('canceled', expected, paid, manual)).toEqual({
      kind: 'transition',
      to: 'succeeded',
      amountReceived: 50_000,
    });
  });

  it('never moves a succeeded payment back to authorized or canceled', () => {
    expect(decidePayment('succeeded', expected, held, manual)).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
    expect(decidePayment('succeeded', expected, { status: 'canceled' }, manual)).toMatchObject({
      kind: 'unchanged',
      contradiction: true,
    });
  });
});
