import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { CursorPager } from '../../components/Pager';
import { DISPUTE_STATUSES, humanize, oneOf } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';
import { DisputeCard } from './DisputeCard';

/** Disputes newest first with a status filter: the owner's (GET /disputes) or every one (admin). */
export function DisputeList({ scope }: { scope: 'mine' | 'all' }) {
  const [params, setParams] = useSearchParams();
  const status = oneOf(DISPUTE_STATUSES, params.get('status'));
  const paging = useCursorTrail(status ?? '');
  const [announcement, setAnnouncement] = useState('');
  const disputes = useQuery({
    queryKey:
      scope === 'all'
        ? queryKeys.adminDisputes({ status, cursor: paging.cursor })
        : queryKeys.disputeList({ status, cursor: paging.cursor }),
    queryFn: async ({ signal }) => {
      const query = { status, cursor: paging.cursor, limit: 20 };
      return scope === 'all'
        ? unwrap(await api.GET('/api/v1/admin/disputes', { params: { query }, signal }))
        : unwrap(await api.GET('/api/v1/disputes', { params: { query }, signal }));
    },
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter disputes"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Status">
          <select
            value={status ?? ''}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              if (event.target.value) next.set('status', event.target.value);
              else next.delete('status');
              setParams(next);
            }}
          >
            <option value="">Any status</option>
            {DISPUTE_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <StatusMessage>{announcement}</StatusMessage>
      {disputes.isPending && <Loading what="disputes" />}
      {disputes.error && <ErrorNotice error={disputes.error} title="Could not load disputes." />}
      {disputes.data && disputes.data.disputes.length === 0 && (
        <EmptyState title={status ? 'No dispute in this state.' : 'No disputes.'}>
          {status
            ? 'Choose “Any status” to see every dispute.'
            : 'When a payer disputes a payment with their bank, it shows here with what you can do.'}
        </EmptyState>
      )}
      {disputes.data && disputes.data.disputes.length > 0 && (
        <ul className="plain-list stack" aria-label="Disputes, newest first">
          {disputes.data.disputes.map((dispute) => (
            <DisputeCard key={dispute.id} dispute={dispute} announce={setAnnouncement} />
          ))}
        </ul>
      )}
      <CursorPager
        label="Disputes"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(disputes.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(disputes.data?.next_cursor)}
      />
    </>
  );
}
