import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { ENDPOINTS_PAGE_SIZE, queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback';
import { PageHeader, TableScroll } from '../../components/layout';
import { StatusBadge } from '../../components/StatusBadge';
import { DELIVERY_STATUSES, humanize, oneOf } from '../../lib/enums';
import { offsetWindow } from '../../lib/paging';

const PAGE_SIZE = 25;

export default function DeliveriesPage() {
  const [params, setParams] = useSearchParams();
  const status = oneOf(DELIVERY_STATUSES, params.get('status'));
  const endpointId = params.get('endpoint_id') || undefined;
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);

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
  const urlOf = new Map(endpoints.data?.endpoints.map((endpoint) => [endpoint.id, endpoint.url]));

  const deliveries = useQuery({
    queryKey: queryKeys.deliveryList({ status, endpoint_id: endpointId, offset, limit: PAGE_SIZE }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/webhook-deliveries', {
          params: { query: { status, endpoint_id: endpointId, offset, limit: PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next);
  };
  const range = deliveries.data
    ? offsetWindow(deliveries.data.total, deliveries.data.limit, deliveries.data.offset)
    : null;

  return (
    <>
      <PageHeader
        title="Delivery log"
        description="Every event sent to your endpoints, newest first. Open one to see each attempt."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter deliveries"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Status">
          <select
            value={status ?? ''}
            onChange={(event) => update({ status: event.target.value, offset: undefined })}
          >
            <option value="">Any status</option>
            {DELIVERY_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Endpoint">
          <select
            value={endpointId ?? ''}
            onChange={(event) => update({ endpoint_id: event.target.value, offset: undefined })}
          >
            <option value="">Any endpoint</option>
            {endpointId && !urlOf.has(endpointId) && (
              <option value={endpointId}>{endpointId}</option>
            )}
            {endpoints.data?.endpoints.map((endpoint) => (
              <option key={endpoint.id} value={endpoint.id}>
                {endpoint.url}
              </option>
            ))}
          </select>
        </Field>
      </form>

      {deliveries.isPending && <Loading what="deliveries" />}
      {deliveries.error && (
        <ErrorNotice error={deliveries.error} title="Could not load the delivery log." />
      )}
      {deliveries.data && deliveries.data.deliveries.length === 0 && (
        <EmptyState
          title={
            status || endpointId ? 'No deliveries match these filters.' : 'Nothing delivered yet.'
          }
        >
          {status || endpointId ? (
            'Choose “Any” in the filters above to see more.'
          ) : (
            <>
              Deliveries appear once you have a{' '}
              <Link to="/developers/webhooks">webhook endpoint</Link> and an event happens.
            </>
          )}
        </EmptyState>
      )}
      {deliveries.data && deliveries.data.deliveries.length > 0 && (
        <TableScroll label="Deliveries">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">Created</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td>
                    <Link to={`/developers/deliveries/${encodeURIComponent(delivery.id)}`}>
                      <span className="mono">{delivery.event_type}</span>
                    </Link>
                    <br />
                    <span className="mono small muted">{delivery.event_id}</span>
                  </td>
                  <td className="mono small break">
                    {urlOf.get(delivery.endpoint_id) ?? delivery.endpoint_id}
                  </td>
                  <td>
                    <StatusBadge status={delivery.status} />
                  </td>
                  <td className="num">{delivery.attempt_count}</td>
                  <td className="small">
                    {delivery.last_status_code ?? ''} {delivery.last_error ?? ''}
                  </td>
                  <td>
                    <DateTime iso={delivery.created_at} />
                  </td>
                  <td>
                    <DateTime iso={delivery.next_attempt_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {range && (range.hasNext || range.hasPrevious) && (
        <nav className="pager" aria-label="Delivery pages">
          <button
            type="button"
            className="button"
            disabled={!range.hasPrevious}
            onClick={() =>
              update({ offset: range.previousOffset ? String(range.previousOffset) : undefined })
            }
          >
            Previous
          </button>
          <span aria-live="polite">
            {range.from}–{range.to} of {deliveries.data?.total}
          </span>
          <button
            type="button"
            className="button"
            disabled={!range.hasNext}
            onClick={() => update({ offset: String(range.nextOffset) })}
          >
            Next
          </button>
        </nav>
      )}
    </>
  );
}
