import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { AdminRefund, ResolveRefundAction } from '../../api/schema';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

const ACTIONS: Record<ResolveRefundAction, string> = {
  resend: 'Resend: the gateway has no such refund, ask it again',
  mark_succeeded: 'Mark succeeded: the refund is in the gateway’s dashboard',
  mark_failed: 'Mark failed: give up (the refunded amount and any wallet debit are given back)',
};

function Resolve({
  refund,
  announce,
}: {
  refund: AdminRefund;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<ResolveRefundAction>('mark_succeeded');
  const [note, setNote] = useState('');
  const [gatewayRefundId, setGatewayRefundId] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const resolve = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/admin/refunds/{id}/resolve', {
          params: { path: { id: refund.id } },
          body: {
            action,
            note: note.trim(),
            gateway_refund_id:
              action === 'mark_succeeded' && gatewayRefundId.trim()
                ? gatewayRefundId.trim()
                : undefined,
          },
        }),
      ),
    onSuccess: (resolved) => {
      announce(`Refund ${resolved.id} is now ${humanize(resolved.status)}.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.admin() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) {
      setNoteError('Say what you found: the note is kept with the decision.');
      return;
    }
    setNoteError(null);
    resolve.mutate();
  };
  return (
    <form onSubmit={submit} className="stack" aria-label={`Resolve refund ${refund.id}`} noValidate>
      <fieldset>
        <legend>Decision</legend>
        {(Object.keys(ACTIONS) as ResolveRefundAction[]).map((value) => (
          <label key={value} className="check">
            <input
              type="radio"
              name={`refund-action-${refund.id}`}
              checked={action === value}
              onChange={() => setAction(value)}
            />{' '}
            {ACTIONS[value]}
          </label>
        ))}
      </fieldset>
      {action === 'mark_succeeded' && (
        <Field label="Gateway refund id (optional)" hint="As shown in the gateway’s dashboard.">
          <input
            value={gatewayRefundId}
            maxLength={200}
            onChange={(event) => setGatewayRefundId(event.target.value)}
          />
        </Field>
      )}
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
          {resolve.isPending ? 'Saving…' : 'Save decision'}
        </button>
      </div>
      {resolve.error && <ErrorNotice error={resolve.error} title="The decision was not saved." />}
    </form>
  );
}

export default function AdminRefundsPage() {
  const [announcement, setAnnouncement] = useState('');
  const paging = useCursorTrail('');
  const refunds = useQuery({
    queryKey: queryKeys.adminRefunds({ needs_attention: 'true', cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/admin/refunds', {
          params: { query: { needs_attention: 'true', cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Refunds awaiting a person"
        description="Refunds the system parked because the gateway’s answer was unclear. Check the gateway, then decide."
      />
      <StatusMessage>{announcement}</StatusMessage>
      {refunds.isPending && <Loading what="refunds" />}
      {refunds.error && <ErrorNotice error={refunds.error} title="Could not load refunds." />}
      {refunds.data && refunds.data.refunds.length === 0 && (
        <EmptyState title="No refund is waiting for a person." />
      )}
      {refunds.data && refunds.data.refunds.length > 0 && (
        <ul className="plain-list stack">
          {refunds.data.refunds.map((refund) => (
            <li key={refund.id} className="card">
              <p>
                <Amount minor={refund.amount} currency={refund.currency} /> for{' '}
                <span className="mono">{refund.payment_reference}</span>{' '}
                <StatusBadge status={refund.status} />
              </p>
              <Facts>
                <Fact label="Why it waits">{refund.needs_attention}</Fact>
                <Fact label="Last error">{refund.last_error}</Fact>
                <Fact label="Gateway">{humanize(refund.gateway)}</Fact>
                <Fact label="Gateway refund id">
                  {refund.gateway_refund_id && (
                    <span className="mono">{refund.gateway_refund_id}</span>
                  )}
                </Fact>
                <Fact label="Attempts">{refund.attempts}</Fact>
                <Fact label="Last attempt">
                  <DateTime iso={refund.last_attempt_at} />
                </Fact>
                <Fact label="Wallet debited">{refund.wallet_debited ? 'Yes' : 'No'}</Fact>
                <Fact label="Requested">
                  <DateTime iso={refund.created_at} />
                </Fact>
                <Fact label="Reason">{refund.reason}</Fact>
              </Facts>
              <Resolve refund={refund} announce={setAnnouncement} />
            </li>
          ))}
        </ul>
      )}
      <CursorPager
        label="Refunds"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(refunds.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(refunds.data?.next_cursor)}
      />
    </>
  );
}
