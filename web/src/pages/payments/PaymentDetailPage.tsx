import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { Payment, PaymentAuditEntry } from '../../api/schema';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader, Section, TableScroll } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize } from '../../lib/enums';
import { formatMinor, parseMajorInput } from '../../lib/money';
import { useCursorTrail } from '../../lib/use-cursor-trail';
import { useIdempotencyKey } from '../../lib/use-idempotency-key';

function PaymentFacts({ payment }: { payment: Payment }) {
  return (
    <Facts>
      <Fact label="Status">
        <StatusBadge status={payment.status} />
      </Fact>
      <Fact label="Amount">
        <Amount minor={payment.amount} currency={payment.currency} />
      </Fact>
      <Fact label="Received">
        {payment.amount_received === null ? null : (
          <Amount minor={payment.amount_received} currency={payment.currency} />
        )}
      </Fact>
      <Fact label="Refunded">
        <Amount minor={payment.amount_refunded} currency={payment.currency} /> (
        {humanize(payment.refund_status)})
      </Fact>
      <Fact label="Capture">{humanize(payment.capture)}</Fact>
      {payment.amount_authorized !== null && (
        <Fact label="Authorized">
          <Amount minor={payment.amount_authorized} currency={payment.currency} />
        </Fact>
      )}
      <Fact label="Gateway">{humanize(payment.gateway)}</Fact>
      <Fact label="Purpose">{humanize(payment.purpose)}</Fact>
      <Fact label="Payer email">
        <span className="break">{payment.email}</span>
      </Fact>
      <Fact label="Order">
        {payment.order_id && <span className="mono">{payment.order_id}</span>}
      </Fact>
      <Fact label="Created">
        <DateTime iso={payment.created_at} />
      </Fact>
      <Fact label="Updated">
        <DateTime iso={payment.updated_at} />
      </Fact>
      <Fact label="Settled">
        <DateTime iso={payment.settled_at} />
      </Fact>
      <Fact label="Expires">
        <DateTime iso={payment.expires_at} />
      </Fact>
      {payment.failure_reason && <Fact label="Failure reason">{payment.failure_reason}</Fact>}
      {payment.review_reason && <Fact label="Review reason">{payment.review_reason}</Fact>}
      {payment.callback_url && (
        <Fact label="Callback URL">
          <span className="mono break">{payment.callback_url}</span>
        </Fact>
      )}
      {payment.metadata && (
        <Fact label="Metadata">
          <pre className="code-block">{JSON.stringify(payment.metadata, null, 2)}</pre>
        </Fact>
      )}
    </Facts>
  );
}

function AuditTrail({ reference }: { reference: string }) {
  const audit = useQuery({
    queryKey: queryKeys.paymentAudit(reference),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/payments/{reference}/audit', {
          params: { path: { reference } },
          signal,
        }),
      ),
  });
  if (audit.isPending) return <Loading what="the audit trail" />;
  if (audit.error)
    return <ErrorNotice error={audit.error} title="Could not load the audit trail." />;
  if (audit.data.entries.length === 0) {
    return (
      <EmptyState title="Nothing has happened to this payment yet.">
        Each change of state (from the gateway, a verify or an administrator) is listed here.
      </EmptyState>
    );
  }
  return (
    <>
      {audit.data.truncated && (
        <p className="muted small">
          Only the newest {audit.data.entries.length} entries are shown.
        </p>
      )}
      <TableScroll label="Audit trail entries">
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Change</th>
              <th scope="col">Source</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {audit.data.entries.map((entry: PaymentAuditEntry) => (
              <tr key={entry.id}>
                <td>
                  <DateTime iso={entry.created_at} />
                </td>
                <td>{humanize(entry.action)}</td>
                <td>
                  <StatusBadge status={entry.from_status} /> →{' '}
                  <StatusBadge status={entry.to_status} />
                </td>
                <td>
                  {humanize(entry.source)}
                  {entry.actor === 'admin' && <span className="muted"> (administrator)</span>}
                </td>
                <td>{entry.note ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

function VerifyButton({ reference }: { reference: string }) {
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/payments/{reference}/verify', {
          params: { path: { reference } },
        }),
      ),
    onSuccess: (payment) => {
      queryClient.setQueryData(queryKeys.payment(reference), payment);
      void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
      void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
    },
  });
  return (
    <div>
      <button
        type="button"
        className="button"
        disabled={verify.isPending}
        onClick={() => verify.mutate()}
      >
        {verify.isPending ? 'Asking the gateway…' : 'Verify with the gateway'}
      </button>
      <StatusMessage>
        {verify.isSuccess &&
          `The gateway was asked; the payment is ${humanize(verify.data.status)}.`}
      </StatusMessage>
      {verify.error && <ErrorNotice error={verify.error} title="Could not verify the payment." />}
    </div>
  );
}

/**
 * Capture or cancel an authorized payment (SPEC §15). Each operation keeps one Idempotency-Key
 * while it is retried (an answer lost after the gateway captured replays the first outcome), and
 * gets a new one when the person changes the amount.
 */
function CaptureActions({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const [amountText, setAmountText] = useState('');
  const [amountError, setAmountError] = useState<string | null>(null);
  const captureKey = useIdempotencyKey();
  const cancelKey = useIdempotencyKey();
  const authorized = payment.amount_authorized ?? payment.amount;

  const settled = (next: Payment) => {
    queryClient.setQueryData(queryKeys.payment(payment.reference), next);
    void queryClient.invalidateQueries({ queryKey: queryKeys.payment(payment.reference) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.payments() });
    void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
  };

  const capture = useMutation({
    mutationFn: async (amount: number | undefined) =>
      unwrap(
        await api.POST('/api/v1/payments/{reference}/capture', {
          params: { path: { reference: payment.reference } },
          body: { amount },
          headers: { 'Idempotency-Key': captureKey.key },
        }),
      ),
    onSuccess: settled,
  });
  const cancel = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/payments/{reference}/cancel', {
          params: { path: { reference: payment.reference } },
          headers: { 'Idempotency-Key': cancelKey.key },
        }),
      ),
    onSuccess: settled,
  });
  const busy = capture.isPending || cancel.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let amount: number | undefined;
    if (amountText.trim() !== '') {
      const parsed = parseMajorInput(amountText, payment.currency);
      if (!parsed.ok) {
        setAmountError(parsed.message);
        return;
      }
      if (parsed.minor > authorized) {
        setAmountError(`At most ${formatMinor(authorized, payment.currency)} was authorized.`);
        return;
      }
      amount = parsed.minor;
    }
    setAmountError(null);
    capture.mutate(amount);
  };

  const outcome = capture.data ?? cancel.data;
  if (payment.status !== 'authorized') {
    return outcome ? (
      <StatusMessage>
        {`Done: the payment is ${humanize(outcome.status)}${
          outcome.status === 'succeeded' && outcome.amount_received !== null
            ? ` for ${formatMinor(outcome.amount_received, outcome.currency)}`
            : ''
        }.`}
      </StatusMessage>
    ) : null;
  }
  const lostAnswer = (error: unknown) =>
    !(error instanceof ApiError) || error.status >= 500
      ? 'No clear answer: trying again is safe, the gateway is asked at most once.'
      : undefined;
  return (
    <div className="stack section-part" role="group" aria-labelledby="capture-title">
      <h3 id="capture-title">Capture or cancel</h3>
      <p className="muted">
        The gateway holds <Amount minor={authorized} currency={payment.currency} /> for this
        payment. Capture takes it (or part of it, releasing the rest); cancel releases it all.
      </p>
      <form onSubmit={submit} className="stack" aria-label="Capture this payment" noValidate>
        <Field
          label={`Amount to capture in ${payment.currency} (optional)`}
          hint="Leave empty to capture everything authorized."
          error={amountError}
        >
          <input
            inputMode="decimal"
            autoComplete="off"
            value={amountText}
            onChange={(event) => {
              setAmountText(event.target.value);
              // A different amount is a different operation: a new Idempotency-Key.
              captureKey.renew();
              capture.reset();
            }}
          />
        </Field>
        <div className="row">
          <button type="submit" className="button primary" disabled={busy}>
            {capture.isPending ? 'Capturing…' : capture.error ? 'Try capture again' : 'Capture'}
          </button>
          <ConfirmButton
            question="Release the whole authorization? This cannot be undone."
            confirmLabel="Release it"
            onConfirm={() => cancel.mutate()}
            disabled={busy}
          >
            {cancel.isPending ? 'Canceling…' : 'Cancel authorization'}
          </ConfirmButton>
        </div>
      </form>
      {capture.error && (
        <ErrorNotice
          error={capture.error}
          title={lostAnswer(capture.error) ?? 'The capture was refused.'}
        />
      )}
      {cancel.error && (
        <ErrorNotice
          error={cancel.error}
          title={lostAnswer(cancel.error) ?? 'The cancel was refused.'}
        />
      )}
    </div>
  );
}

function RefundForm({ payment }: { payment: Payment }) {
  const queryClient = useQueryClient();
  const [amountText, setAmountText] = useState('');
  const [reason, setReason] = useState('');
  const [amountError, setAmountError] = useState<string | null>(null);
  const idempotency = useIdempotencyKey();
  const refundable = (payment.amount_received ?? payment.amount) - payment.amount_refunded;

  const create = useMutation({
    mutationFn: async (body: { amount?: number; reason?: string }) =>
      unwrap(
        await api.POST('/api/v1/payments/{reference}/refunds', {
          params: { path: { reference: payment.reference } },
          body,
          headers: { 'Idempotency-Key': idempotency.key },
        }),
      ),
    onSuccess: () => {
      setAmountText('');
      setReason('');
      idempotency.renew();
      void queryClient.invalidateQueries({ queryKey: queryKeys.payment(payment.reference) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let amount: number | undefined;
    if (amountText.trim() !== '') {
      const parsed = parseMajorInput(amountText, payment.currency);
      if (!parsed.ok) {
        setAmountError(parsed.message);
        return;
      }
      amount = parsed.minor;
    }
    setAmountError(null);
    create.mutate({ amount, reason: reason.trim() || undefined });
  };

  if (payment.status !== 'succeeded') {
    return <p className="muted">Only a succeeded payment can be refunded.</p>;
  }
  return (
    <form onSubmit={submit} className="stack" aria-label="Refund this payment">
      <Field
        label={`Amount in ${payment.currency} (optional)`}
        hint={
          <>
            Leave empty to refund what remains: up to{' '}
            <Amount minor={Math.max(0, refundable)} currency={payment.currency} />.
          </>
        }
        error={amountError}
      >
        <input
          inputMode="decimal"
          autoComplete="off"
          value={amountText}
          onChange={(event) => {
            setAmountText(event.target.value);
            idempotency.renew();
          }}
        />
      </Field>
      <Field label="Reason (optional)">
        <input
          value={reason}
          maxLength={500}
          onChange={(event) => {
            setReason(event.target.value);
            idempotency.renew();
          }}
        />
      </Field>
      <div>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Requesting…' : 'Refund'}
        </button>
      </div>
      <StatusMessage>
        {create.isSuccess &&
          `Refund of ${formatMinor(create.data.amount, create.data.currency)} accepted (${humanize(create.data.status)}); the gateway is asked next.`}
      </StatusMessage>
      {create.error && <ErrorNotice error={create.error} title="The refund was not accepted." />}
    </form>
  );
}

function RefundList({ reference }: { reference: string }) {
  const paging = useCursorTrail(reference);
  const refunds = useQuery({
    queryKey: queryKeys.paymentRefunds(reference, paging.cursor),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/payments/{reference}/refunds', {
          params: { path: { reference }, query: { cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  if (refunds.isPending) return <Loading what="refunds" />;
  if (refunds.error) return <ErrorNotice error={refunds.error} title="Could not load refunds." />;
  if (refunds.data.refunds.length === 0) return <EmptyState title="No refunds for this payment." />;
  return (
    <>
      <TableScroll label="Refunds">
        <table>
          <thead>
            <tr>
              <th scope="col">Requested</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Failure</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {refunds.data.refunds.map((refund) => (
              <tr key={refund.id}>
                <td>
                  <DateTime iso={refund.created_at} />
                </td>
                <td className="num">
                  <Amount minor={refund.amount} currency={refund.currency} />
                </td>
                <td>
                  <StatusBadge status={refund.status} />
                </td>
                <td>{refund.reason ?? <span className="muted">—</span>}</td>
                <td>{refund.failure_reason ?? <span className="muted">—</span>}</td>
                <td>
                  <DateTime iso={refund.completed_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <CursorPager
        label="Refunds"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(refunds.data.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(refunds.data.next_cursor)}
      />
    </>
  );
}

export function PaymentDetailPage() {
  const { reference = '' } = useParams();
  const payment = useQuery({
    queryKey: queryKeys.payment(reference),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/payments/{reference}', { params: { path: { reference } }, signal }),
      ),
  });

  return (
    <>
      <p className="breadcrumb">
        <Link to="/payments">Payments</Link>
      </p>
      <PageHeader title={`Payment ${reference}`} />
      {payment.isPending && <Loading what="the payment" />}
      {payment.error && <ErrorNotice error={payment.error} title="Could not load this payment." />}
      {payment.data && (
        <div className="stack-lg">
          <Section title="Details" id="details">
            <PaymentFacts payment={payment.data} />
            <VerifyButton reference={reference} />
            <CaptureActions payment={payment.data} />
          </Section>
          <Section title="Audit trail" id="audit">
            <AuditTrail reference={reference} />
          </Section>
          <Section title="Refunds" id="refunds">
            <RefundList reference={reference} />
            <h3>Refund this payment</h3>
            <RefundForm payment={payment.data} />
          </Section>
        </div>
      )}
    </>
  );
}
