import { parseTestGatewayEvent, testEventId } from './test-gateway-payload.js';

const good = {
  id: testEventId('PAY-20260122123456-AB12CD34', 'succeeded'),
  type: 'charge.succeeded',
  data: {
    reference: 'PAY-20260122123456-AB12CD34',
    status: 'succeeded',
    amount: 500000,
    currency: 'NGN',
  },
};

describe('parseTestGatewayEvent', () => {
  it('reads a well-formed event', () => {
    expect(parseTestGatewayEvent(good)).toEqual(good);
    expect(good.id).toBe('evt_test_PAY-20260122123456-AB12CD34_succeeded');
  });

  it.each(['authorized', 'canceled'] as const)('reads a manual charge %s event', (status) => {
    const event = {
      id: testEventId(good.data.reference, status),
      type: `charge.${status}`,
      data: { ...good.data, status },
    };
    expect(parseTestGatewayEvent(event)).toEqual(event);
  });

  it.each([
    ['a type that disagrees with the status', { ...good, type: 'charge.failed' }],
    ['a float amount', { ...good, data: { ...good.data, amount: 10.5 } }],
    ['a zero amount', { ...good, data: { ...good.data, amount: 0 } }],
    ['an amount above 2^53-1', { ...good, data: { ...good.data, amount: 2 ** 53 } }],
    ['a lower-case currency', { ...good, data: { ...good.data, currency: 'ngn' } }],
    ['a reference with an underscore', { ...good, data: { ...good.data, reference: 'PAY_1' } }],
    [
      'an unknown status',
      { ...good, type: 'charge.pending', data: { ...good.data, status: 'pending' } },
    ],
    ['no id', { ...good, id: '' }],
    ['an array', [good]],
  ])('refuses %s', (_what, body) => {
    expect(() => parseTestGatewayEvent(body)).toThrow(SyntaxError);
  });
});
