import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback';
import { PageHeader } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { EVENT_TYPES, oneOf } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

export default function EventsPage() {
  const [params, setParams] = useSearchParams();
  const type = oneOf(EVENT_TYPES, params.get('type'));
  const paging = useCursorTrail(type ?? '');
  const events = useQuery({
    queryKey: queryKeys.events({ type, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/events', {
          params: { query: { type, cursor: paging.cursor, limit: 25 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Events"
        description="Every event recorded for you, whether or not an endpoint received it."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Type">
          <select
            value={type ?? ''}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              if (event.target.value) next.set('type', event.target.value);
              else next.delete('type');
              setParams(next);
            }}
          >
            <option value="">Any type</option>
            {EVENT_TYPES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {events.isPending && <Loading what="events" />}
      {events.error && <ErrorNotice error={events.error} title="Could not load events." />}
      {events.data && events.data.events.length === 0 && (
        <EmptyState title={type ? 'No events of this type.' : 'No events yet.'}>
          {type
            ? 'Choose “Any type” to see everything.'
            : 'Events are recorded as payments, refunds and transfers happen.'}
        </EmptyState>
      )}
      {events.data && events.data.events.length > 0 && (
        <ul className="plain-list stack">
          {events.data.events.map((event) => (
            <li key={event.id} className="card">
              <p>
                <span className="mono">{event.event}</span> · <DateTime iso={event.created_at} />
              </p>
              <p className="mono small muted break">{event.id}</p>
              <details>
                <summary>Payload</summary>
                <pre className="code-block">{JSON.stringify(event.data, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
      <CursorPager
        label="Events"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(events.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(events.data?.next_cursor)}
      />
    </>
  );
}
