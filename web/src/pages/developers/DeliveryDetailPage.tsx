import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader, Section, TableScroll } from '../../components/layout';
import { StatusBadge } from '../../components/StatusBadge';

export default function DeliveryDetailPage() {
  const { id = '' } = useParams();
  const queryClient = useQueryClient();
  const delivery = useQuery({
    queryKey: queryKeys.delivery(id),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/webhook-deliveries/{id}', { params: { path: { id } }, signal }),
      ),
  });
  const retry = useMutation({
    mutationFn: async (force: boolean) =>
      unwrap(
        await api.POST('/api/v1/webhook-deliveries/{id}/retry', {
          params: { path: { id } },
          body: force ? { force: true } : {},
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries() });
    },
  });

  return (
    <>
      <p className="breadcrumb">
        <Link to="/developers/deliveries">Delivery log</Link>
      </p>
      <PageHeader title="Delivery" />
      {delivery.isPending && <Loading what="the delivery" />}
      {delivery.error && (
        <ErrorNotice error={delivery.error} title="Could not load this delivery." />
      )}
      {delivery.data && (
        <div className="stack-lg">
          <Section title="Summary" id="summary">
            <Facts>
              <Fact label="Event">
                <span className="mono">{delivery.data.event_type}</span>
              </Fact>
              <Fact label="Event id (webhook-id)">
                <span className="mono break">{delivery.data.event_id}</span>
              </Fact>
              <Fact label="Status">
                <StatusBadge status={delivery.data.status} />
              </Fact>
              <Fact label="Attempts">{delivery.data.attempt_count}</Fact>
              <Fact label="Created">
                <DateTime iso={delivery.data.created_at} />
              </Fact>
              <Fact label="Delivered">
                <DateTime iso={delivery.data.delivered_at} />
              </Fact>
              <Fact label="Next attempt">
                <DateTime iso={delivery.data.next_attempt_at} />
              </Fact>
              <Fact label="Endpoint">
                <Link
                  to={`/developers/deliveries?endpoint_id=${encodeURIComponent(delivery.data.endpoint_id)}`}
                  className="mono break"
                >
                  {delivery.data.endpoint_id}
                </Link>
              </Fact>
            </Facts>
            <div className="row">
              {delivery.data.status === 'succeeded' ? (
                <ConfirmButton
                  question="This delivery already succeeded. Send it again anyway (same webhook-id)?"
                  confirmLabel="Send again"
                  tone="primary"
                  disabled={retry.isPending}
                  onConfirm={() => retry.mutate(true)}
                >
                  Send again
                </ConfirmButton>
              ) : (
                <button
                  type="button"
                  className="button primary"
                  disabled={retry.isPending}
                  onClick={() => retry.mutate(false)}
                >
                  Retry now
                </button>
              )}
            </div>
            <StatusMessage>
              {retry.isSuccess &&
                'Queued: a new attempt is being sent with the same webhook-id. Reload the attempts below in a moment.'}
            </StatusMessage>
            {retry.error && <ErrorNotice error={retry.error} title="The retry was not queued." />}
          </Section>
          <Section title="Attempts" id="attempts">
            <p>
              <button
                type="button"
                className="button"
                disabled={delivery.isFetching}
                onClick={() => void delivery.refetch()}
              >
                {delivery.isFetching ? 'Reloading…' : 'Reload attempts'}
              </button>
            </p>
            {delivery.data.attempts.length === 0 ? (
              <EmptyState title="No attempt yet.">
                The first attempt is made within seconds of the event.
              </EmptyState>
            ) : (
              <TableScroll label="Attempts">
                <table>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        #
                      </th>
                      <th scope="col">Sent</th>
                      <th scope="col">HTTP status</th>
                      <th scope="col" className="num">
                        Duration
                      </th>
                      <th scope="col">Error</th>
                      <th scope="col">Response (first KiB)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {delivery.data.attempts.map((attempt) => (
                      <tr key={attempt.attempt}>
                        <td className="num">{attempt.attempt}</td>
                        <td>
                          <DateTime iso={attempt.requested_at} />
                        </td>
                        <td>{attempt.status_code ?? <span className="muted">none</span>}</td>
                        <td className="num">{attempt.duration_ms} ms</td>
                        <td>{attempt.error ?? <span className="muted">—</span>}</td>
                        <td>
                          {attempt.response_excerpt ? (
                            <pre className="code-block excerpt">{attempt.response_excerpt}</pre>
                          ) : (
                            <span className="muted">empty</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            )}
          </Section>
        </div>
      )}
    </>
  );
}
