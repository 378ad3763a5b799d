import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { Wallet } from '../../api/schema';
import { api } from '../../app/session';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { PageHeader, Section, TableScroll } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { TRANSACTION_TYPES, humanize, oneOf } from '../../lib/enums';
import { formatMinor, parseMajorInput } from '../../lib/money';
import { useCursorTrail } from '../../lib/use-cursor-trail';
import { useIdempotencyKey } from '../../lib/use-idempotency-key';
import { Recipients, WithdrawForm, Withdrawals } from './Payouts';

interface TransferDraft {
  wallet_number: string;
  amount: number;
  narration?: string;
}

function TransferForm({ wallet }: { wallet: Wallet }) {
  const queryClient = useQueryClient();
  const [recipient, setRecipient] = useState('');
  const [amountText, setAmountText] = useState('');
  const [narration, setNarration] = useState('');
  const [errors, setErrors] = useState<{ recipient?: string; amount?: string }>({});
  const [draft, setDraft] = useState<TransferDraft | null>(null);
  const idempotency = useIdempotencyKey();

  const send = useMutation({
    mutationFn: async (body: TransferDraft) =>
      unwrap(
        await api.POST('/api/v1/wallet/transfer', {
          body,
          headers: { 'Idempotency-Key': idempotency.key },
        }),
      ),
    onSuccess: () => {
      setDraft(null);
      setRecipient('');
      setAmountText('');
      setNarration('');
      idempotency.renew();
      void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
    },
  });

  const review = (event: FormEvent) => {
    event.preventDefault();
    const next: { recipient?: string; amount?: string } = {};
    const number = recipient.replace(/\s/g, '');
    if (!/^\d+$/.test(number))
      next.recipient = 'Enter the recipient’s wallet number (digits only).';
    else if (number === wallet.wallet_number) next.recipient = 'That is your own wallet.';
    const amount = parseMajorInput(amountText, wallet.currency);
    if (!amount.ok) next.amount = amount.message;
    setErrors(next);
    if (next.recipient || next.amount || !amount.ok) return;
    send.reset();
    // A new operation: a new Idempotency-Key, kept while this one is retried.
    idempotency.renew();
    setDraft({
      wallet_number: number,
      amount: amount.minor,
      narration: narration.trim() || undefined,
    });
  };

  if (draft) {
    return (
      <div className="stack" role="group" aria-labelledby="confirm-transfer">
        <h3 id="confirm-transfer">Confirm the transfer</h3>
        <p>
          Send <strong>{formatMinor(draft.amount, wallet.currency)}</strong> to wallet{' '}
          <strong className="mono">{draft.wallet_number}</strong>
          {draft.narration ? <> with the note “{draft.narration}”</> : null}? Transfers cannot be
          undone.
        </p>
        <div className="row">
          <button
            type="button"
            className="button primary"
            disabled={send.isPending}
            onClick={() => send.mutate(draft)}
          >
            {send.isPending ? 'Sending…' : send.error ? 'Try again' : 'Send now'}
          </button>
          <button
            type="button"
            className="button"
            disabled={send.isPending}
            onClick={() => setDraft(null)}
          >
            Change
          </button>
        </div>
        {send.error && (
          <ErrorNotice
            error={send.error}
            title={
              send.error instanceof ApiError
                ? 'The transfer was refused.'
                : 'No answer: trying again is safe, it cannot send twice.'
            }
          />
        )}
      </div>
    );
  }

  return (
    <form onSubmit={review} className="stack" aria-label="Send money to another wallet" noValidate>
      <Field label="Recipient wallet number" error={errors.recipient}>
        <input
          inputMode="numeric"
          autoComplete="off"
          value={recipient}
          onChange={(event) => setRecipient(event.target.value)}
        />
      </Field>
      <Field label={`Amount in ${wallet.currency}`} error={errors.amount}>
        <input
          inputMode="decimal"
          autoComplete="off"
          value={amountText}
          onChange={(event) => setAmountText(event.target.value)}
        />
      </Field>
      <Field label="Note for the recipient (optional)">
        <input
          value={narration}
          maxLength={255}
          onChange={(event) => setNarration(event.target.value)}
        />
      </Field>
      <div>
        <button type="submit" className="button primary">
          Review transfer
        </button>
      </div>
      <StatusMessage>
        {send.isSuccess &&
          `Sent ${formatMinor(send.data.amount, send.data.currency)} to wallet ${send.data.recipient_wallet_number}. Reference ${send.data.reference}.`}
      </StatusMessage>
    </form>
  );
}

function History() {
  const [params, setParams] = useSearchParams();
  const type = oneOf(TRANSACTION_TYPES, params.get('type'));
  const paging = useCursorTrail(type ?? '');
  const history = useQuery({
    queryKey: queryKeys.walletTransactions({ type, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/wallet/transactions', {
          params: { query: { type, cursor: paging.cursor, limit: 25 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <form
        className="filters"
        role="search"
        aria-label="Filter history"
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
            {TRANSACTION_TYPES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {history.isPending && <Loading what="wallet history" />}
      {history.error && <ErrorNotice error={history.error} title="Could not load your history." />}
      {history.data && history.data.transactions.length === 0 && (
        <EmptyState title={type ? 'No transactions of this type.' : 'No transactions yet.'}>
          {type ? 'Choose “Any type” to see everything.' : 'Deposits and transfers show here.'}
        </EmptyState>
      )}
      {history.data && history.data.transactions.length > 0 && (
        <TableScroll label="Wallet history">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Counterparty</th>
                <th scope="col">Note</th>
                <th scope="col" className="num">
                  Balance after
                </th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {history.data.transactions.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <DateTime iso={entry.created_at} />
                  </td>
                  <td>{humanize(entry.type)}</td>
                  <td className="num">
                    <Amount minor={entry.amount} currency={entry.currency} />
                  </td>
                  <td>
                    <StatusBadge status={entry.status} />
                  </td>
                  <td className="mono">{entry.counterparty_wallet_number ?? '—'}</td>
                  <td>{entry.narration ?? <span className="muted">—</span>}</td>
                  <td className="num">
                    <Amount minor={entry.balance_after} currency={entry.currency} />
                  </td>
                  <td className="mono small">{entry.reference}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <CursorPager
        label="History"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(history.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(history.data?.next_cursor)}
      />
    </>
  );
}

export function WalletPage() {
  const wallet = useQuery({
    queryKey: queryKeys.wallet(),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/wallet', { signal })),
  });

  return (
    <>
      <PageHeader title="Wallet" />
      {wallet.isPending && <Loading what="your wallet" />}
      {wallet.error instanceof ApiError && wallet.error.status === 404 ? (
        <EmptyState title="You have no wallet yet.">
          It is created when you first sign in with Google; ask an operator if it is missing.
        </EmptyState>
      ) : (
        wallet.error && <ErrorNotice error={wallet.error} title="Could not load your wallet." />
      )}
      {wallet.data && (
        <div className="stack-lg">
          <div className="grid">
            <Section title="Balance" id="wallet-balance">
              <p className="big-number">
                <Amount minor={wallet.data.balance} currency={wallet.data.currency} />
              </p>
              <p className="muted">
                Your wallet number: <span className="mono">{wallet.data.wallet_number}</span>
              </p>
            </Section>
            <Section title="Send money" id="transfer">
              <TransferForm wallet={wallet.data} />
            </Section>
            <Section title="Withdraw" id="withdraw">
              <WithdrawForm wallet={wallet.data} />
            </Section>
          </div>
          <Section title="Withdrawals" id="withdrawals">
            <Withdrawals />
          </Section>
          <Section title="Payout recipients" id="recipients">
            <Recipients currency={wallet.data.currency} />
          </Section>
          <Section title="History" id="history">
            <History />
          </Section>
        </div>
      )}
    </>
  );
}
