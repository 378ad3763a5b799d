import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { Dispute } from '../../api/schema';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { ErrorNotice } from '../../components/feedback';
import { Fact, Facts } from '../../components/layout';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize } from '../../lib/enums';

/** States in which the merchant can still answer (the API refuses others with DISPUTE_CLOSED). */
const ANSWERABLE: readonly string[] = ['open', 'under_review'];

function EvidenceForm({ dispute, onDone }: { dispute: Dispute; onDone: (d: Dispute) => void }) {
  const [text, setText] = useState('');
  const [urls, setUrls] = useState('');
  const [problems, setProblems] = useState<{ text?: string; urls?: string }>({});
  const submit = useMutation({
    mutationFn: async (body: { text: string; uploaded_file_urls?: string[] }) =>
      unwrap(
        await api.POST('/api/v1/disputes/{id}/evidence', {
          params: { path: { id: dispute.id } },
          body,
        }),
      ),
    onSuccess: onDone,
  });
  const send = (event: FormEvent) => {
    event.preventDefault();
    const links = urls
      .split(/\s+/)
      .map((url) => url.trim())
      .filter(Boolean);
    const next = {
      text: text.trim() ? undefined : 'Say what happened: the card issuer reads this.',
      urls:
        links.length > 10
          ? 'At most 10 links.'
          : links.some((url) => !/^https:\/\/\S+$/.test(url))
            ? 'Each link must start with https://.'
            : undefined,
    };
    setProblems(next);
    if (next.text || next.urls) return;
    submit.mutate({ text: text.trim(), uploaded_file_urls: links.length ? links : undefined });
  };
  return (
    <form
      onSubmit={send}
      className="stack"
      aria-label={`Evidence for dispute on ${dispute.payment_reference}`}
      noValidate
    >
      <Field label="Your evidence" error={problems.text}>
        <textarea
          rows={3}
          maxLength={20000}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </Field>
      <Field
        label="Links to documents (optional)"
        hint="One https:// link per line, somewhere the gateway can fetch them."
        error={problems.urls}
      >
        <textarea rows={2} value={urls} onChange={(event) => setUrls(event.target.value)} />
      </Field>
      <div>
        <button type="submit" className="button primary" disabled={submit.isPending}>
          {submit.isPending ? 'Submitting…' : 'Submit evidence'}
        </button>
      </div>
      {submit.error && <ErrorNotice error={submit.error} title="The evidence was not sent." />}
    </form>
  );
}

/** One dispute with what can still be done about it (SPEC §17). */
export function DisputeCard({
  dispute,
  announce,
}: {
  dispute: Dispute;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const done = (next: Dispute, what: string) => {
    announce(`${what}: the dispute on ${next.payment_reference} is ${humanize(next.status)}.`);
    void queryClient.invalidateQueries({ queryKey: queryKeys.disputes() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.admin() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
  };
  const accept = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/disputes/{id}/accept', { params: { path: { id: dispute.id } } }),
      ),
    onSuccess: (next) => done(next, 'Accepted'),
  });
  const answerable = ANSWERABLE.includes(dispute.status);
  return (
    <li className="card">
      <h3 className="notification-title">
        <Amount minor={dispute.amount} currency={dispute.currency} /> disputed on{' '}
        <Link to={`/payments/${encodeURIComponent(dispute.payment_reference)}`} className="mono">
          {dispute.payment_reference}
        </Link>{' '}
        <StatusBadge status={dispute.status} />
      </h3>
      <Facts>
        <Fact label="Reason">{dispute.reason}</Fact>
        <Fact label="Gateway">{humanize(dispute.gateway)}</Fact>
        <Fact label="Evidence due">
          <DateTime iso={dispute.due_by} />
        </Fact>
        <Fact label="Evidence sent">
          <DateTime iso={dispute.evidence_submitted_at} />
        </Fact>
        <Fact label="Opened">
          <DateTime iso={dispute.created_at} />
        </Fact>
      </Facts>
      {answerable && (
        <div className="stack">
          {dispute.evidence_submitted_at === null && (
            <EvidenceForm dispute={dispute} onDone={(next) => done(next, 'Evidence sent')} />
          )}
          <div>
            <ConfirmButton
              question="Concede? The held money goes to the payer, and this cannot be undone."
              confirmLabel="Accept dispute"
              onConfirm={() => accept.mutate()}
              disabled={accept.isPending}
            >
              {accept.isPending ? 'Accepting…' : 'Accept dispute'}
            </ConfirmButton>
          </div>
          {accept.error && (
            <ErrorNotice error={accept.error} title="The dispute was not accepted." />
          )}
        </div>
      )}
    </li>
  );
}
