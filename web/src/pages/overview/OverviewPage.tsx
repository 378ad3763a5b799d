import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiError, unwrap } from '../../api/errors';
import { ENDPOINTS_PAGE_SIZE, queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback';
import { PageHeader, Section } from '../../components/layout';
import { StatusBadge } from '../../components/StatusBadge';
import { PAYMENT_STATUSES } from '../../lib/enums';
import { startOfLocalDay } from '../../lib/time';

function BalanceCard() {
  const wallet = useQuery({
    queryKey: queryKeys.wallet(),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/wallet', { signal })),
  });
  return (
    <Section title="Balance" id="balance">
      {wallet.isPending && <Loading what="your balance" />}
      {wallet.error instanceof ApiError && wallet.error.status === 404 ? (
        <EmptyState title="You have no wallet yet.">
          It is created when you first sign in with Google; ask an operator if it is missing.
        </EmptyState>
      ) : (
        wallet.error && <ErrorNotice error={wallet.error} title="Could not load your balance." />
      )}
      {wallet.data && (
        <>
          <p className="big-number">
            <Amount minor={wallet.data.balance} currency={wallet.data.currency} />
          </p>
          <p className="muted">
            Wallet <span className="mono">{wallet.data.wallet_number}</span> ·{' '}
            <Link to="/wallet">History and transfers</Link>
          </p>
        </>
      )}
    </Section>
  );
}

/** Every state the answer counts: the known ones in their usual order, then any other. */
function statusesIn(counts: Record<string, number>): string[] {
  const known: readonly string[] = PAYMENT_STATUSES;
  return [
    ...known.filter((status) => counts[status]),
    ...Object.keys(counts).filter((status) => !known.includes(status) && counts[status]),
  ];
}

function PaymentsTodayCard() {
  const since = startOfLocalDay(new Date()).toISOString();
  const today = useQuery({
    queryKey: queryKeys.paymentsSince(since),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/payments/summary', { params: { query: { since } }, signal })),
  });
  return (
    <Section title="Payments today" id="payments-today">
      <p className="muted small">
        Since <DateTime iso={since} />, your time.
      </p>
      {today.isPending && <Loading what="today's payments" />}
      {today.error && <ErrorNotice error={today.error} title="Could not load today's payments." />}
      {today.data && today.data.total === 0 && (
        <EmptyState title="No payments yet today.">
          Payments you start through the API show here as they come in.
        </EmptyState>
      )}
      {today.data && today.data.total > 0 && (
        <ul className="status-counts">
          {statusesIn(today.data.counts).map((status) => (
            <li key={status}>
              <Link to={`/payments?status=${status}`}>
                <StatusBadge status={status} /> <strong>{today.data.counts[status]}</strong>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function FailingEndpointsCard() {
  const endpoints = useQuery({
    queryKey: queryKeys.endpointList(),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/webhook-endpoints', {
          params: { query: { limit: ENDPOINTS_PAGE_SIZE } },
          signal,
        }),
      ),
  });
  const failing =
    endpoints.data?.endpoints.filter(
      (endpoint) => endpoint.failing_since !== null || !endpoint.enabled,
    ) ?? [];
  return (
    <Section title="Webhook endpoints needing attention" id="failing-endpoints">
      {endpoints.isPending && <Loading what="webhook endpoints" />}
      {endpoints.error && (
        <ErrorNotice error={endpoints.error} title="Could not load your webhook endpoints." />
      )}
      {endpoints.data && endpoints.data.endpoints.length === 0 && (
        <EmptyState title="No webhook endpoints yet.">
          <Link to="/developers/webhooks">Add an endpoint</Link> to receive events.
        </EmptyState>
      )}
      {endpoints.data && endpoints.data.endpoints.length > 0 && failing.length === 0 && (
        <EmptyState title="Every endpoint is receiving events." />
      )}
      {failing.length > 0 && (
        <ul className="plain-list">
          {failing.map((endpoint) => (
            <li key={endpoint.id}>
              <span className="mono break">{endpoint.url}</span>{' '}
              <StatusBadge status={endpoint.enabled ? 'failing' : 'disabled'} />
              <br />
              <span className="muted small">
                {endpoint.disabled_reason ??
                  (endpoint.failing_since ? (
                    <>
                      Failing since <DateTime iso={endpoint.failing_since} />
                    </>
                  ) : (
                    'Disabled by you'
                  ))}
              </span>{' '}
              <Link
                to={`/developers/deliveries?endpoint_id=${encodeURIComponent(endpoint.id)}&status=failed`}
              >
                Failed deliveries
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

/** Open disputes hold money until answered: the first few, with their evidence deadline. */
const OPEN_DISPUTES_SHOWN = 5;

function OpenDisputesCard() {
  const open = useQuery({
    queryKey: queryKeys.disputeList({ status: 'open' }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/disputes', {
          params: { query: { status: 'open', limit: OPEN_DISPUTES_SHOWN } },
          signal,
        }),
      ),
  });
  return (
    <Section title="Open disputes" id="open-disputes">
      {open.isPending && <Loading what="open disputes" />}
      {open.error && <ErrorNotice error={open.error} title="Could not load open disputes." />}
      {open.data && open.data.disputes.length === 0 && <EmptyState title="No open disputes." />}
      {open.data && open.data.disputes.length > 0 && (
        <>
          <ul className="plain-list">
            {open.data.disputes.map((dispute) => (
              <li key={dispute.id}>
                <Amount minor={dispute.amount} currency={dispute.currency} /> on{' '}
                <span className="mono">{dispute.payment_reference}</span>
                <br />
                <span className="muted small">
                  {dispute.due_by ? (
                    <>
                      Evidence due <DateTime iso={dispute.due_by} />
                    </>
                  ) : (
                    'No deadline given'
                  )}
                </span>
              </li>
            ))}
          </ul>
          <p>
            <Link to="/disputes?status=open">
              {open.data.next_cursor
                ? `More than ${OPEN_DISPUTES_SHOWN} open: see them all`
                : 'Answer or accept them'}
            </Link>
          </p>
        </>
      )}
    </Section>
  );
}

export function OverviewPage() {
  return (
    <>
      <PageHeader title="Overview" />
      <div className="grid">
        <BalanceCard />
        <PaymentsTodayCard />
        <FailingEndpointsCard />
        <OpenDisputesCard />
      </div>
    </>
  );
}
