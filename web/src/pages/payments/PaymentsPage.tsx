import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback';
import { PageHeader, TableScroll } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { GATEWAYS, PAYMENT_STATUSES, humanize, oneOf } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

const PAGE_SIZE = 25;

export function PaymentsPage() {
  const [params, setParams] = useSearchParams();
  const status = oneOf(PAYMENT_STATUSES, params.get('status'));
  const gateway = oneOf(GATEWAYS, params.get('gateway'));
  const paging = useCursorTrail(`${status ?? ''}|${gateway ?? ''}`);

  const payments = useQuery({
    queryKey: queryKeys.paymentList({ status, gateway, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/payments', {
          params: { query: { status, gateway, cursor: paging.cursor, limit: PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const setFilter = (name: 'status' | 'gateway', value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  };

  return (
    <>
      <PageHeader title="Payments" description="Payments and deposits you started, newest first." />
      <form
        className="filters"
        role="search"
        aria-label="Filter payments"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Status">
          <select
            value={status ?? ''}
            onChange={(event) => setFilter('status', event.target.value)}
          >
            <option value="">Any status</option>
            {PAYMENT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Gateway">
          <select
            value={gateway ?? ''}
            onChange={(event) => setFilter('gateway', event.target.value)}
          >
            <option value="">Any gateway</option>
            {GATEWAYS.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
      </form>

      {payments.isPending && <Loading what="payments" />}
      {payments.error && <ErrorNotice error={payments.error} title="Could not load payments." />}
      {payments.data && payments.data.payments.length === 0 && (
        <EmptyState
          title={status || gateway ? 'No payments match these filters.' : 'No payments yet.'}
        >
          {status || gateway
            ? 'Choose “Any” in the filters above to see more.'
            : 'Payments you start with POST /api/v1/payments, and wallet deposits, show here.'}
        </EmptyState>
      )}
      {payments.data && payments.data.payments.length > 0 && (
        <TableScroll label="Payments">
          <table>
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Gateway</th>
                <th scope="col">Purpose</th>
                <th scope="col">Email</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {payments.data.payments.map((payment) => (
                <tr key={payment.reference}>
                  <td>
                    <Link
                      className="mono"
                      to={`/payments/${encodeURIComponent(payment.reference)}`}
                    >
                      {payment.reference}
                    </Link>
                  </td>
                  <td className="num">
                    <Amount minor={payment.amount} currency={payment.currency} />
                  </td>
                  <td>
                    <StatusBadge status={payment.status} />
                  </td>
                  <td>{humanize(payment.gateway)}</td>
                  <td>{humanize(payment.purpose)}</td>
                  <td>{payment.email}</td>
                  <td>
                    <DateTime iso={payment.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <CursorPager
        label="Payments"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(payments.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(payments.data?.next_cursor)}
      />
    </>
  );
}
