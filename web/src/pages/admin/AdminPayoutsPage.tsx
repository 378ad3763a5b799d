import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { AdminPayout } from '../../api/schema';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { PAYOUT_STATUSES, humanize, oneOf } from '../../lib/enums';
import { formatMinor } from '../../lib/money';
import { textOrNull } from '../../lib/text';
import { useCursorTrail } from '../../lib/use-cursor-trail';

/** The states where a person acts: the page opens on the first. */
const AWAITING = ['pending_approval', 'requires_otp'] as const;

function Decide({
  payout,
  announce,
}: {
  payout: AdminPayout;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [note, setNote] = useState('');
  const [otp, setOtp] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const done = (decided: AdminPayout) => {
    announce(
      `Payout ${decided.reference} (${formatMinor(decided.amount, decided.currency)}) is now ${humanize(decided.status)}.`,
    );
    void queryClient.invalidateQueries({ queryKey: queryKeys.admin() });
  };
  const path = { params: { path: { id: payout.id } } };
  const approve = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/admin/payouts/{id}/approve', path)),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/admin/payouts/{id}/reject', {
          ...path,
          body: { note: note.trim() },
        }),
      ),
    onSuccess: done,
  });
  const finalize = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/admin/payouts/{id}/finalize', {
          ...path,
          body: { otp: otp.trim() },
        }),
      ),
    onSuccess: done,
  });
  const busy = approve.isPending || reject.isPending || finalize.isPending;
  const error = approve.error ?? reject.error ?? finalize.error;

  if (payout.status === 'requires_otp') {
    const submit = (event: FormEvent) => {
      event.preventDefault();
      if (!/^\d{4,8}$/.test(otp.trim())) {
        setProblem('Enter the 4 to 8 digit code Paystack sent.');
        return;
      }
      setProblem(null);
      finalize.mutate();
    };
    return (
      <form
        onSubmit={submit}
        className="stack"
        aria-label={`Finalize payout ${payout.reference}`}
        noValidate
      >
        <Field label="OTP" hint="The code Paystack sent for this transfer." error={problem}>
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={otp}
            onChange={(event) => setOtp(event.target.value)}
          />
        </Field>
        <div>
          <button type="submit" className="button primary" disabled={busy}>
            {finalize.isPending ? 'Sending…' : 'Finalize transfer'}
          </button>
        </div>
        {error && <ErrorNotice error={error} title="The transfer was not finalized." />}
      </form>
    );
  }
  if (payout.status !== 'pending_approval') return null;

  const submitReject = (event: FormEvent) => {
    event.preventDefault();
    if (!note.trim()) {
      setProblem('Say why: the note is kept with the decision.');
      return;
    }
    setProblem(null);
    reject.mutate();
  };
  return (
    <div className="stack" role="group" aria-label={`Decide on payout ${payout.reference}`}>
      <div>
        <ConfirmButton
          question={`Send ${formatMinor(payout.amount, payout.currency)} to ${payout.recipient.account_name}?`}
          confirmLabel="Approve and send"
          tone="primary"
          onConfirm={() => approve.mutate()}
          disabled={busy}
        >
          {approve.isPending ? 'Approving…' : 'Approve'}
        </ConfirmButton>
      </div>
      <form onSubmit={submitReject} className="stack" aria-label="Reject" noValidate>
        <Field
          label="Reason to reject"
          hint="Rejecting gives the money back to the wallet."
          error={problem}
        >
          <textarea
            rows={2}
            maxLength={1000}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
        </Field>
        <div>
          <button type="submit" className="button danger" disabled={busy}>
            {reject.isPending ? 'Rejecting…' : 'Reject payout'}
          </button>
        </div>
      </form>
      {error && <ErrorNotice error={error} title="The decision was not saved." />}
    </div>
  );
}

export default function AdminPayoutsPage() {
  const [params, setParams] = useSearchParams();
  const status = oneOf(PAYOUT_STATUSES, params.get('status')) ?? AWAITING[0];
  const [announcement, setAnnouncement] = useState('');
  const paging = useCursorTrail(status);
  const payouts = useQuery({
    queryKey: queryKeys.adminPayouts({ status, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/admin/payouts', {
          params: { query: { status, cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title="Payouts awaiting a person"
        description="Withdrawals above the approval threshold, and Paystack transfers waiting for an OTP. The money is held until you decide."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter payouts"
        onSubmit={(e) => e.preventDefault()}
      >
        <Field label="Status">
          <select value={status} onChange={(event) => setParams({ status: event.target.value })}>
            {PAYOUT_STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      <StatusMessage>{announcement}</StatusMessage>
      {payouts.isPending && <Loading what="payouts" />}
      {payouts.error && <ErrorNotice error={payouts.error} title="Could not load payouts." />}
      {payouts.data && payouts.data.payouts.length === 0 && (
        <EmptyState title={`No payout is ${humanize(status).toLowerCase()}.`}>
          {(AWAITING as readonly string[]).includes(status)
            ? 'Nothing waits for you here.'
            : 'Choose another status.'}
        </EmptyState>
      )}
      {payouts.data && payouts.data.payouts.length > 0 && (
        <ul className="plain-list stack">
          {payouts.data.payouts.map((payout) => (
            <li key={payout.id} className="card">
              <p>
                <Amount minor={payout.amount} currency={payout.currency} /> to{' '}
                <strong>{payout.recipient.account_name}</strong>{' '}
                <StatusBadge status={payout.status} />
              </p>
              <Facts>
                <Fact label="Reference">
                  <span className="mono">{payout.reference}</span>
                </Fact>
                <Fact label="Account">
                  {textOrNull(payout.recipient.bank_name) ?? payout.recipient.bank_code} ••••
                  {payout.recipient.account_number_last4}
                </Fact>
                <Fact label="Gateway">{humanize(payout.gateway)}</Fact>
                <Fact label="User">
                  <span className="mono small">{payout.user_id}</span>
                </Fact>
                <Fact label="Narration">{textOrNull(payout.narration)}</Fact>
                <Fact label="Requested">
                  <DateTime iso={payout.created_at} />
                </Fact>
                {textOrNull(payout.last_error) && (
                  <Fact label="Last error">{textOrNull(payout.last_error)}</Fact>
                )}
                {textOrNull(payout.failure_reason) && (
                  <Fact label="Failure">{textOrNull(payout.failure_reason)}</Fact>
                )}
                {textOrNull(payout.approved_at) && (
                  <Fact label="Approved">
                    <DateTime iso={textOrNull(payout.approved_at)} />
                  </Fact>
                )}
                {textOrNull(payout.rejected_at) && (
                  <Fact label="Rejected">
                    <DateTime iso={textOrNull(payout.rejected_at)} />{' '}
                    {textOrNull(payout.rejection_note)}
                  </Fact>
                )}
              </Facts>
              <Decide payout={payout} announce={setAnnouncement} />
            </li>
          ))}
        </ul>
      )}
      <CursorPager
        label="Payouts"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(payouts.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(textOrNull(payouts.data?.next_cursor))}
      />
    </>
  );
}
