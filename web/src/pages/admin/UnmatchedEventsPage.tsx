import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { InboundWebhookEvent } from '../../api/schema';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { INBOUND_EVENT_STATUSES, humanize, oneOf } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

function ReplayButton({
  event,
  announce,
}: {
  event: InboundWebhookEvent;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const replay = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/admin/webhook-events/{id}/replay', {
          params: { path: { id: event.id } },
        }),
      ),
    onSuccess: (replayed) => {
      announce(`Event ${replayed.event_id} replayed: now ${humanize(replayed.status)}.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.admin() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
    },
  });
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={replay.isPending}
        onClick={() => replay.mutate()}
      >
        {replay.isPending ? 'Replaying…' : 'Replay'}
      </button>
      {replay.error && <ErrorNotice error={replay.error} title="The event was not replayed." />}
    </>
  );
}

export default function UnmatchedEventsPage() {
  const [params, setParams] = useSearchParams();
  const status = oneOf(INBOUND_EVENT_STATUSES, params.get('status')) ?? 'unmatched';
  const [announcement, setAnnouncement] = useState('');
  const paging = useCursorTrail(status);
  const events = useQuery({
    queryKey: queryKeys.adminWebhookEvents({ status, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/admin/webhook-events', {
          params: { query: { status, cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Inbound webhook events"
        description="Gateway events as stored. Unmatched ones name a payment that was not found; replay runs one through settlement again (a settled payment is never settled twice)."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Status">
          <select
            value={status}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              next.set('status', event.target.value);
              setParams(next);
            }}
          >
            {INBOUND_EVENT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <StatusMessage>{announcement}</StatusMessage>
      {events.isPending && <Loading what="webhook events" />}
      {events.error && <ErrorNotice error={events.error} title="Could not load webhook events." />}
      {events.data && events.data.events.length === 0 && (
        <EmptyState title={`No ${humanize(status).toLowerCase()} events.`}>
          {status === 'unmatched'
            ? 'Every gateway event found its payment.'
            : 'Choose another status above.'}
        </EmptyState>
      )}
      {events.data && events.data.events.length > 0 && (
        <ul className="plain-list stack">
          {events.data.events.map((event) => (
            <li key={event.id} className="card">
              <p>
                <strong>{humanize(event.gateway)}</strong>{' '}
                <span className="mono">{event.type}</span> <StatusBadge status={event.status} />
              </p>
              <Facts>
                <Fact label="Gateway event id">
                  <span className="mono break">{event.event_id}</span>
                </Fact>
                <Fact label="Reference">
                  {event.reference && <span className="mono">{event.reference}</span>}
                </Fact>
                <Fact label="Kind">{humanize(event.kind)}</Fact>
                <Fact label="Attempts">{event.attempts}</Fact>
                <Fact label="Received">
                  <DateTime iso={event.received_at} />
                </Fact>
                <Fact label="Processed">
                  <DateTime iso={event.processed_at} />
                </Fact>
                {event.last_error && <Fact label="Last error">{event.last_error}</Fact>}
              </Facts>
              {event.payload && (
                <details>
                  <summary>Payload</summary>
                  <pre className="code-block">{JSON.stringify(event.payload, null, 2)}</pre>
                </details>
              )}
              <ReplayButton event={event} announce={setAnnouncement} />
            </li>
          ))}
        </ul>
      )}
      <CursorPager
        label="Webhook events"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(events.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(events.data?.next_cursor)}
      />
    </>
  );
}
