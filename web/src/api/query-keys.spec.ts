import { compactFilters, isUnder, queryKeys } from './query-keys';

describe('queryKeys', () => {
  it('names the same answer whether an unset filter is missing, undefined or empty', () => {
    expect(queryKeys.paymentList({})).toEqual(
      queryKeys.paymentList({ status: undefined, gateway: '', cursor: undefined }),
    );
  });

  it('keeps filters apart and independent of the order they were given in', () => {
    expect(queryKeys.paymentList({ status: 'failed' })).not.toEqual(
      queryKeys.paymentList({ status: 'succeeded' }),
    );
    expect(queryKeys.paymentList({ status: 'failed', gateway: 'stripe' })).toEqual(
      queryKeys.paymentList({ gateway: 'stripe', status: 'failed' }),
    );
    expect(Object.keys(compactFilters({ z: 1, a: 2 }))).toEqual(['a', 'z']);
  });

  it('gives each page its own key', () => {
    expect(queryKeys.walletTransactions({ cursor: 'c2' })).not.toEqual(
      queryKeys.walletTransactions({}),
    );
    expect(queryKeys.deliveryList({ offset: 20, limit: 20 })).not.toEqual(
      queryKeys.deliveryList({ offset: 0, limit: 20 }),
    );
  });

  it('puts every payment answer under payments(), so one invalidation refreshes them all', () => {
    const prefix = queryKeys.payments();
    expect(isUnder(queryKeys.paymentList({ status: 'failed' }), prefix)).toBe(true);
    expect(isUnder(queryKeys.payment('PAY-1'), prefix)).toBe(true);
    expect(isUnder(queryKeys.paymentRefunds('PAY-1'), queryKeys.payment('PAY-1'))).toBe(true);
    expect(isUnder(queryKeys.paymentsSince('2026-01-01T00:00:00.000Z'), prefix)).toBe(true);
    expect(isUnder(queryKeys.wallet(), prefix)).toBe(false);
  });

  it('keeps wallet history under the wallet and admin answers under admin()', () => {
    expect(isUnder(queryKeys.walletTransactions({ type: 'deposit' }), queryKeys.wallet())).toBe(
      true,
    );
    expect(isUnder(queryKeys.ledgerCheck(), queryKeys.admin())).toBe(true);
    expect(isUnder(queryKeys.adminRefunds({ needs_attention: 'true' }), queryKeys.admin())).toBe(
      true,
    );
    expect(isUnder(queryKeys.payment('PAY-1'), queryKeys.admin())).toBe(false);
  });

  it('puts one endpoint or delivery apart from the lists beside it', () => {
    expect(isUnder(queryKeys.delivery('d1'), queryKeys.deliveries())).toBe(true);
    expect(isUnder(queryKeys.endpointList(), queryKeys.endpoints())).toBe(true);
    expect(isUnder(queryKeys.delivery('d1'), queryKeys.endpoints())).toBe(false);
  });
});
