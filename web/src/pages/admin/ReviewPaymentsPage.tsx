import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { Payment, ResolvePaymentAction } from '../../api/schema';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { humanize } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

function Decision({
  payment,
  announce,
}: {
  payment: Payment;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<ResolvePaymentAction>('accept');
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const resolve = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/admin/payments/{reference}/resolve', {
          params: { path: { reference: payment.reference } },
          body: { action, note: note.trim() },
        }),
      ),
    onSuccess: (resolved) => {
      announce(`${resolved.reference} is now ${humanize(resolved.status)}.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.admin() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) {
      setNoteError('Say why: the note is kept with the decision.');
      return;
    }
    setNoteError(null);
    resolve.mutate();
  };
  const received = payment.amount_received;
  return (
    <form
      onSubmit={submit}
      className="stack"
      aria-label={`Decide on ${payment.reference}`}
      noValidate
    >
      <fieldset>
        <legend>Decision</legend>
        <label className="check">
          <input
            type="radio"
            name={`action-${payment.reference}`}
            checked={action === 'accept'}
            onChange={() => setAction('accept')}
          />{' '}
          Accept: succeeded for what the gateway received
          {received !== null && (
            <>
              {' '}
              (<Amount minor={received} currency={payment.currency} />)
            </>
          )}
        </label>
        <label className="check">
          <input
            type="radio"
            name={`action-${payment.reference}`}
            checked={action === 'reject'}
            onChange={() => setAction('reject')}
          />{' '}
          Reject: failed; what was received stays recorded for a refund
        </label>
      </fieldset>
      <Field label="Note" error={noteError}>
        <textarea
          rows={2}
          value={note}
          maxLength={2000}
          onChange={(event) => setNote(event.target.value)}
        />
      </Field>
      <div>
        <button type="submit" className="button primary" disabled={resolve.isPending}>
          {resolve.isPending
            ? 'Saving…'
            : action === 'accept'
              ? 'Accept payment'
              : 'Reject payment'}
        </button>
      </div>
      {resolve.error && <ErrorNotice error={resolve.error} title="The decision was not saved." />}
    </form>
  );
}

export default function ReviewPaymentsPage() {
  const [announcement, setAnnouncement] = useState('');
  const paging = useCursorTrail('');
  const payments = useQuery({
    queryKey: queryKeys.adminPayments({ status: 'needs_review', cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/admin/payments', {
          params: { query: { status: 'needs_review', cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Payments needing review"
        description="Payments whose gateway answer did not match what was asked (amount, currency). Each decision is recorded with who and when."
      />
      <StatusMessage>{announcement}</StatusMessage>
      {payments.isPending && <Loading what="payments to review" />}
      {payments.error && (
        <ErrorNotice error={payments.error} title="Could not load payments to review." />
      )}
      {payments.data && payments.data.payments.length === 0 && (
        <EmptyState title="Nothing to review.">
          Payments land here when a gateway’s answer needs a person.
        </EmptyState>
      )}
      {payments.data && payments.data.payments.length > 0 && (
        <ul className="plain-list stack">
          {payments.data.payments.map((payment) => (
            <li key={payment.reference} className="card">
              <h2 className="mono break">{payment.reference}</h2>
              <Facts>
                <Fact label="Asked">
                  <Amount minor={payment.amount} currency={payment.currency} />
                </Fact>
                <Fact label="Received">
                  {payment.amount_received === null ? null : (
                    <Amount minor={payment.amount_received} currency={payment.currency} />
                  )}
                </Fact>
                <Fact label="Why">{payment.review_reason}</Fact>
                <Fact label="Gateway">{humanize(payment.gateway)}</Fact>
                <Fact label="Purpose">{humanize(payment.purpose)}</Fact>
                <Fact label="Payer">
                  <span className="break">{payment.email}</span>
                </Fact>
                <Fact label="Created">
                  <DateTime iso={payment.created_at} />
                </Fact>
              </Facts>
              <Decision payment={payment} announce={setAnnouncement} />
            </li>
          ))}
        </ul>
      )}
      <CursorPager
        label="Payments to review"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(payments.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(payments.data?.next_cursor)}
      />
    </>
  );
}
