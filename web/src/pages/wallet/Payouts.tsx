import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { PayoutRecipient, Wallet, paths } from '../../api/schema';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { Amount, DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { TableScroll } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize } from '../../lib/enums';
import { formatMinor, parseMajorInput } from '../../lib/money';
import { textOrNull } from '../../lib/text';
import { useCursorTrail } from '../../lib/use-cursor-trail';
import { useIdempotencyKey } from '../../lib/use-idempotency-key';

type NewRecipient = NonNullable<
  paths['/api/v1/payout-recipients']['post']['requestBody']
>['content']['application/json'];
type PayoutGateway = NewRecipient['gateway'];
type RecipientType = NewRecipient['type'];

const PAYOUT_GATEWAYS: readonly PayoutGateway[] = ['paystack', 'flutterwave'];
const RECIPIENT_TYPES: Record<RecipientType, string> = {
  bank_account: 'Bank account',
  mobile_money: 'Mobile money',
};

/** Recipients are few per person: one page of the API's maximum shows them all. */
const RECIPIENTS_PAGE_SIZE = 100;

function recipientLabel(recipient: PayoutRecipient): string {
  const bank = textOrNull(recipient.bank_name) ?? recipient.bank_code;
  const nickname = textOrNull(recipient.nickname);
  const name = nickname ? `${nickname}: ` : '';
  return `${name}${recipient.account_name}, ${bank} ••••${recipient.account_number_last4}`;
}

export function useRecipients() {
  return useQuery({
    queryKey: queryKeys.payoutRecipients(),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/payout-recipients', {
          params: { query: { limit: RECIPIENTS_PAGE_SIZE } },
          signal,
        }),
      ),
  });
}

interface WithdrawalDraft {
  recipient: PayoutRecipient;
  amount: number;
  narration?: string;
}

/**
 * Withdraw to a payout recipient (SPEC §12): review, then send with one Idempotency-Key kept while
 * the same withdrawal is retried, so a lost answer can never take the money twice.
 */
export function WithdrawForm({ wallet }: { wallet: Wallet }) {
  const queryClient = useQueryClient();
  const recipients = useRecipients();
  const [recipientId, setRecipientId] = useState('');
  const [amountText, setAmountText] = useState('');
  const [narration, setNarration] = useState('');
  const [errors, setErrors] = useState<{ recipient?: string; amount?: string }>({});
  const [draft, setDraft] = useState<WithdrawalDraft | null>(null);
  const idempotency = useIdempotencyKey();

  const send = useMutation({
    mutationFn: async (body: WithdrawalDraft) =>
      unwrap(
        await api.POST('/api/v1/wallet/withdrawals', {
          body: {
            amount: body.amount,
            recipient_id: body.recipient.id,
            narration: body.narration,
          },
          headers: { 'Idempotency-Key': idempotency.key },
        }),
      ),
    onSuccess: () => {
      setDraft(null);
      setAmountText('');
      setNarration('');
      idempotency.renew();
      void queryClient.invalidateQueries({ queryKey: queryKeys.wallet() });
    },
  });

  const usable = (recipients.data?.recipients ?? []).filter(
    (recipient) => recipient.currency === wallet.currency,
  );

  const review = (event: FormEvent) => {
    event.preventDefault();
    const next: { recipient?: string; amount?: string } = {};
    const recipient = usable.find((candidate) => candidate.id === recipientId);
    if (!recipient) next.recipient = 'Choose where the money goes.';
    const amount = parseMajorInput(amountText, wallet.currency);
    if (!amount.ok) next.amount = amount.message;
    else if (amount.minor > wallet.balance)
      next.amount = `Your balance is ${formatMinor(wallet.balance, wallet.currency)}.`;
    setErrors(next);
    if (!recipient || !amount.ok || next.amount) return;
    send.reset();
    // A new operation: a new Idempotency-Key, kept while this one is retried.
    idempotency.renew();
    setDraft({ recipient, amount: amount.minor, narration: narration.trim() || undefined });
  };

  if (recipients.isPending) return <Loading what="your payout recipients" />;
  if (recipients.error)
    return <ErrorNotice error={recipients.error} title="Could not load your payout recipients." />;
  if (usable.length === 0) {
    return (
      <EmptyState title="Add a payout recipient first.">
        Add a bank account in {wallet.currency} under “Payout recipients” below, then withdraw to
        it.
      </EmptyState>
    );
  }

  if (draft) {
    return (
      <div className="stack" role="group" aria-labelledby="confirm-withdrawal">
        <h3 id="confirm-withdrawal">Confirm the withdrawal</h3>
        <p>
          Withdraw <strong>{formatMinor(draft.amount, wallet.currency)}</strong> to{' '}
          <strong>{recipientLabel(draft.recipient)}</strong>
          {draft.narration ? <> with the note “{draft.narration}”</> : null}? It leaves your balance
          at once, and comes back if the transfer fails or is rejected.
        </p>
        <div className="row">
          <button
            type="button"
            className="button primary"
            disabled={send.isPending}
            onClick={() => send.mutate(draft)}
          >
            {send.isPending ? 'Sending…' : send.error ? 'Try again' : 'Withdraw now'}
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
              send.error instanceof ApiError && send.error.status < 500
                ? 'The withdrawal was refused.'
                : 'No clear answer: trying again is safe, it cannot withdraw twice.'
            }
          />
        )}
      </div>
    );
  }

  return (
    <form onSubmit={review} className="stack" aria-label="Withdraw to a bank account" noValidate>
      <Field label="To" error={errors.recipient}>
        <select value={recipientId} onChange={(event) => setRecipientId(event.target.value)}>
          <option value="">Choose a recipient</option>
          {usable.map((recipient) => (
            <option key={recipient.id} value={recipient.id}>
              {recipientLabel(recipient)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={`Amount in ${wallet.currency}`} error={errors.amount}>
        <input
          inputMode="decimal"
          autoComplete="off"
          value={amountText}
          onChange={(event) => setAmountText(event.target.value)}
        />
      </Field>
      <Field label="Narration (optional)">
        <input
          value={narration}
          maxLength={100}
          onChange={(event) => setNarration(event.target.value)}
        />
      </Field>
      <div>
        <button type="submit" className="button primary">
          Review withdrawal
        </button>
      </div>
      <StatusMessage>
        {send.isSuccess &&
          `Withdrawal of ${formatMinor(send.data.amount, send.data.currency)} accepted (${humanize(send.data.status)}). Reference ${send.data.reference}.`}
      </StatusMessage>
    </form>
  );
}

function AddRecipientForm({ currency }: { currency: string }) {
  const queryClient = useQueryClient();
  const [gateway, setGateway] = useState<PayoutGateway>('paystack');
  const [type, setType] = useState<RecipientType>('bank_account');
  const [bankCode, setBankCode] = useState('');
  const [accountNumber, setAccountNumber] = useState('');
  const [nickname, setNickname] = useState('');
  const [errors, setErrors] = useState<{ bank?: string; account?: string }>({});

  const banks = useQuery({
    queryKey: queryKeys.banks(gateway, currency),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/banks', { params: { query: { gateway, currency } }, signal })),
    staleTime: 60 * 60 * 1000,
  });
  const add = useMutation({
    mutationFn: async (body: NewRecipient) =>
      unwrap(await api.POST('/api/v1/payout-recipients', { body })),
    onSuccess: () => {
      setAccountNumber('');
      setNickname('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.payoutRecipients() });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const number = accountNumber.replace(/\s/g, '');
    const next = {
      bank: bankCode ? undefined : 'Choose the bank.',
      account: /^\d{6,20}$/.test(number) ? undefined : 'Enter the account number: 6 to 20 digits.',
    };
    setErrors(next);
    if (next.bank || next.account) return;
    add.mutate({
      gateway,
      type,
      bank_code: bankCode,
      account_number: number,
      currency,
      nickname: nickname.trim() || undefined,
    });
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Add a payout recipient" noValidate>
      <div className="filters">
        <Field label="Through">
          <select
            value={gateway}
            onChange={(event) => {
              setGateway(event.target.value as PayoutGateway);
              setBankCode('');
            }}
          >
            {PAYOUT_GATEWAYS.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Kind">
          <select value={type} onChange={(event) => setType(event.target.value as RecipientType)}>
            {(Object.keys(RECIPIENT_TYPES) as RecipientType[]).map((value) => (
              <option key={value} value={value}>
                {RECIPIENT_TYPES[value]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {banks.error ? (
        <ErrorNotice error={banks.error} title={`Could not list ${humanize(gateway)}’s banks.`} />
      ) : (
        <Field label="Bank" error={errors.bank}>
          <select
            value={bankCode}
            disabled={banks.isPending}
            onChange={(event) => setBankCode(event.target.value)}
          >
            <option value="">{banks.isPending ? 'Loading banks…' : 'Choose a bank'}</option>
            {banks.data?.banks.map((bank) => (
              <option key={`${bank.code}-${bank.name}`} value={bank.code}>
                {bank.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field
        label="Account number"
        hint="The bank tells us the account’s name; only its last 4 digits are shown later."
        error={errors.account}
      >
        <input
          inputMode="numeric"
          autoComplete="off"
          maxLength={24}
          value={accountNumber}
          onChange={(event) => setAccountNumber(event.target.value)}
        />
      </Field>
      <Field label="Nickname (optional)">
        <input
          value={nickname}
          maxLength={100}
          onChange={(event) => setNickname(event.target.value)}
        />
      </Field>
      <div>
        <button type="submit" className="button primary" disabled={add.isPending}>
          {add.isPending ? 'Checking the account…' : 'Add recipient'}
        </button>
      </div>
      <StatusMessage>
        {add.isSuccess && `Added ${add.data.account_name} (••••${add.data.account_number_last4}).`}
      </StatusMessage>
      {add.error && <ErrorNotice error={add.error} title="The recipient was not added." />}
    </form>
  );
}

function RecipientRow({ recipient }: { recipient: PayoutRecipient }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.DELETE('/api/v1/payout-recipients/{id}', {
          params: { path: { id: recipient.id } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.payoutRecipients() }),
  });
  return (
    <tr>
      <td>{recipient.account_name}</td>
      <td>{textOrNull(recipient.nickname) ?? <span className="muted">—</span>}</td>
      <td>
        {textOrNull(recipient.bank_name) ?? recipient.bank_code}{' '}
        <span className="mono">••••{recipient.account_number_last4}</span>
      </td>
      <td>
        {humanize(recipient.gateway)}, {recipient.currency}
      </td>
      <td>
        <ConfirmButton
          question={`Remove ${recipient.account_name}?`}
          confirmLabel="Remove"
          onConfirm={() => remove.mutate()}
          disabled={remove.isPending}
        >
          Remove
        </ConfirmButton>
        {remove.error && <ErrorNotice error={remove.error} title="It was not removed." />}
      </td>
    </tr>
  );
}

export function Recipients({ currency }: { currency: string }) {
  const recipients = useRecipients();
  return (
    <div className="stack">
      {recipients.isPending && <Loading what="your payout recipients" />}
      {recipients.error && (
        <ErrorNotice error={recipients.error} title="Could not load your payout recipients." />
      )}
      {recipients.data && recipients.data.recipients.length === 0 && (
        <EmptyState title="No payout recipients yet.">
          Add the bank account you want to withdraw to.
        </EmptyState>
      )}
      {recipients.data && recipients.data.recipients.length > 0 && (
        <TableScroll label="Payout recipients">
          <table>
            <thead>
              <tr>
                <th scope="col">Account name</th>
                <th scope="col">Nickname</th>
                <th scope="col">Account</th>
                <th scope="col">Through</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {recipients.data.recipients.map((recipient) => (
                <RecipientRow key={recipient.id} recipient={recipient} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h3>Add a recipient</h3>
      <AddRecipientForm currency={currency} />
    </div>
  );
}

export function Withdrawals() {
  const paging = useCursorTrail('');
  const withdrawals = useQuery({
    queryKey: queryKeys.withdrawals({ cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/wallet/withdrawals', {
          params: { query: { cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  if (withdrawals.isPending) return <Loading what="withdrawals" />;
  if (withdrawals.error)
    return <ErrorNotice error={withdrawals.error} title="Could not load your withdrawals." />;
  if (withdrawals.data.withdrawals.length === 0) return <EmptyState title="No withdrawals yet." />;
  return (
    <>
      <TableScroll label="Withdrawals">
        <table>
          <thead>
            <tr>
              <th scope="col">Requested</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col">To</th>
              <th scope="col">Status</th>
              <th scope="col">Reference</th>
              <th scope="col">Completed</th>
            </tr>
          </thead>
          <tbody>
            {withdrawals.data.withdrawals.map((payout) => (
              <tr key={payout.id}>
                <td>
                  <DateTime iso={payout.created_at} />
                </td>
                <td className="num">
                  <Amount minor={payout.amount} currency={payout.currency} />
                </td>
                <td>{recipientLabel(payout.recipient)}</td>
                <td>
                  <StatusBadge status={payout.status} />
                  {textOrNull(payout.failure_reason) && (
                    <>
                      <br />
                      <span className="muted small">{textOrNull(payout.failure_reason)}</span>
                    </>
                  )}
                </td>
                <td className="mono small">{payout.reference}</td>
                <td>
                  <DateTime iso={textOrNull(payout.completed_at)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <CursorPager
        label="Withdrawals"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(textOrNull(withdrawals.data.next_cursor))}
        onPrevious={paging.previous}
        onNext={() => paging.next(textOrNull(withdrawals.data.next_cursor))}
      />
    </>
  );
}
