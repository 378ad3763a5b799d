import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { ApiKey, ApiKeyExpiry, ApiKeyPermission } from '../../api/schema';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { PageHeader, Section, TableScroll } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { SecretReveal } from '../../components/SecretReveal';
import { StatusBadge } from '../../components/StatusBadge';
import { API_KEY_EXPIRIES, API_KEY_PERMISSIONS, EXPIRY_LABELS, humanize } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

const PERMISSION_HINTS: Record<ApiKeyPermission, string> = {
  read: 'read the wallet, payments, refunds and events',
  deposit: 'start wallet deposits',
  transfer: 'send money from the wallet',
  payments: 'start and verify payments',
  refunds: 'refund payments',
  webhooks: 'manage webhook endpoints and deliveries',
  payouts: 'manage payout recipients and withdraw to bank accounts',
};

function keyState(key: ApiKey): string {
  if (key.revoked) return 'revoked';
  if (key.expired) return 'expired';
  return key.active ? 'active' : 'expired';
}

function CreateKeyForm({ onCreated }: { onCreated: (secret: string, name: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<ApiKeyPermission[]>(['read']);
  const [expiry, setExpiry] = useState<ApiKeyExpiry>('1M');
  const [problems, setProblems] = useState<{ name?: string; permissions?: string }>({});

  const create = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/keys', { body: { name: name.trim(), permissions, expiry } })),
    onSuccess: (created) => {
      onCreated(created.api_key, created.name);
      setName('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      name: name.trim() ? undefined : 'Name the key after what will use it.',
      permissions: permissions.length ? undefined : 'Choose at least one permission.',
    };
    setProblems(next);
    if (!next.name && !next.permissions) create.mutate();
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Create an API key" noValidate>
      <Field label="Name" hint="For example: checkout-service" error={problems.name}>
        <input value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
      </Field>
      <fieldset>
        <legend>Permissions</legend>
        {problems.permissions && (
          <p className="field-error" role="alert">
            {problems.permissions}
          </p>
        )}
        {API_KEY_PERMISSIONS.map((permission) => (
          <label key={permission} className="check">
            <input
              type="checkbox"
              checked={permissions.includes(permission)}
              onChange={(event) =>
                setPermissions((current) =>
                  event.target.checked
                    ? [...current, permission]
                    : current.filter((value) => value !== permission),
                )
              }
            />{' '}
            <span>
              <strong>{permission}</strong>{' '}
              <span className="muted">— {PERMISSION_HINTS[permission]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <Field label="Expires after">
        <select value={expiry} onChange={(event) => setExpiry(event.target.value as ApiKeyExpiry)}>
          {API_KEY_EXPIRIES.map((value) => (
            <option key={value} value={value}>
              {EXPIRY_LABELS[value]}
            </option>
          ))}
        </select>
      </Field>
      <div>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </div>
      {create.error && <ErrorNotice error={create.error} title="The key was not created." />}
    </form>
  );
}

function KeyActions({
  apiKey,
  onRolledOver,
  announce,
}: {
  apiKey: ApiKey;
  onRolledOver: (secret: string, name: string) => void;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const [expiry, setExpiry] = useState<ApiKeyExpiry>('1M');
  const revoke = useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/v1/keys/{id}/revoke', { params: { path: { id: apiKey.id } } })),
    onSuccess: () => {
      announce(`Key “${apiKey.name}” revoked: it stopped working at once.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
  });
  const rollover = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/keys/rollover', { body: { expired_key_id: apiKey.id, expiry } }),
      ),
    onSuccess: (created) => {
      onRolledOver(created.api_key, created.name);
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys() });
    },
  });
  const state = keyState(apiKey);
  return (
    <div className="row">
      {state === 'active' && (
        <ConfirmButton
          question={`Revoke “${apiKey.name}”? Anything using it stops working at once.`}
          confirmLabel="Revoke"
          onConfirm={() => revoke.mutate()}
          disabled={revoke.isPending}
        >
          Revoke
        </ConfirmButton>
      )}
      {state === 'expired' && (
        <span className="row">
          <label className="inline-label">
            New key expires after{' '}
            <select
              value={expiry}
              onChange={(event) => setExpiry(event.target.value as ApiKeyExpiry)}
            >
              {API_KEY_EXPIRIES.map((value) => (
                <option key={value} value={value}>
                  {EXPIRY_LABELS[value]}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button"
            disabled={rollover.isPending}
            onClick={() => rollover.mutate()}
          >
            Roll over
          </button>
        </span>
      )}
      {revoke.error && <ErrorNotice error={revoke.error} title="The key was not revoked." />}
      {rollover.error && (
        <ErrorNotice error={rollover.error} title="The key was not rolled over." />
      )}
    </div>
  );
}

export default function ApiKeysPage() {
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const paging = useCursorTrail('');
  const keys = useQuery({
    queryKey: queryKeys.apiKeyList(paging.cursor),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/keys', {
          params: { query: { cursor: paging.cursor, limit: 20 } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const reveal = (value: string, name: string) => {
    setAnnouncement('');
    setSecret({ value, name });
  };

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys let your servers call this API (header x-api-key). At most 5 can be active."
      />
      <div className="stack-lg">
        <Section title="Create a key" id="create-key">
          {secret ? (
            <SecretReveal
              label={`API key “${secret.name}”`}
              secret={secret.value}
              onDismiss={() => setSecret(null)}
            />
          ) : (
            <CreateKeyForm onCreated={reveal} />
          )}
        </Section>
        <Section title="Your keys" id="keys">
          <StatusMessage>{announcement}</StatusMessage>
          {keys.isPending && <Loading what="API keys" />}
          {keys.error && <ErrorNotice error={keys.error} title="Could not load your keys." />}
          {keys.data && keys.data.keys.length === 0 && (
            <EmptyState title="No API keys yet.">
              Create one above for each service that calls the API.
            </EmptyState>
          )}
          {keys.data && keys.data.keys.length > 0 && (
            <TableScroll label="API keys">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Permissions</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {keys.data.keys.map((apiKey) => (
                    <tr key={apiKey.id}>
                      <td>{apiKey.name}</td>
                      <td className="mono">{apiKey.prefix}…</td>
                      <td>{apiKey.permissions.map(humanize).join(', ')}</td>
                      <td>
                        <StatusBadge status={keyState(apiKey)} />
                      </td>
                      <td>
                        <DateTime iso={apiKey.created_at} />
                      </td>
                      <td>
                        <DateTime iso={apiKey.expires_at} />
                      </td>
                      <td>
                        {apiKey.last_used_at ? (
                          <DateTime iso={apiKey.last_used_at} />
                        ) : (
                          <span className="muted">Never</span>
                        )}
                      </td>
                      <td>
                        <KeyActions
                          apiKey={apiKey}
                          onRolledOver={reveal}
                          announce={setAnnouncement}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          <CursorPager
            label="API keys"
            page={paging.page}
            hasPrevious={paging.hasPrevious}
            hasNext={Boolean(keys.data?.next_cursor)}
            onPrevious={paging.previous}
            onNext={() => paging.next(keys.data?.next_cursor)}
          />
        </Section>
      </div>
    </>
  );
}
