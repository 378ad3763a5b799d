import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { unwrap } from '../../api/errors';
import { ENDPOINTS_PAGE_SIZE, queryKeys } from '../../api/query-keys';
import type { WebhookEndpoint, WebhookEventType } from '../../api/schema';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { Field } from '../../components/Field';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { PageHeader, Section } from '../../components/layout';
import { SecretReveal } from '../../components/SecretReveal';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize, SUBSCRIBABLE_EVENT_TYPES } from '../../lib/enums';

function CreateEndpointForm({ onCreated }: { onCreated: (secret: string, url: string) => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [allEvents, setAllEvents] = useState(true);
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [problems, setProblems] = useState<{ url?: string; events?: string }>({});

  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/webhook-endpoints', {
          body: {
            url: url.trim(),
            events: allEvents ? ['*'] : events,
            description: description.trim() || undefined,
          },
        }),
      ),
    onSuccess: (created) => {
      onCreated(created.secret, created.url);
      setUrl('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.endpoints() });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = {
      url: /^https?:\/\/\S+$/i.test(url.trim())
        ? undefined
        : 'Enter the full URL, starting with https://',
      events:
        allEvents || events.length > 0 ? undefined : 'Choose at least one event, or all events.',
    };
    setProblems(next);
    if (!next.url && !next.events) create.mutate();
  };

  return (
    <form onSubmit={submit} className="stack" aria-label="Add a webhook endpoint" noValidate>
      <Field
        label="URL"
        hint="Events are POSTed here, signed per Standard Webhooks."
        error={problems.url}
      >
        <input
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://example.com/webhooks/payments"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
      </Field>
      <Field label="Description (optional)">
        <input
          value={description}
          maxLength={500}
          onChange={(event) => setDescription(event.target.value)}
        />
      </Field>
      <fieldset>
        <legend>Events</legend>
        {problems.events && (
          <p className="field-error" role="alert">
            {problems.events}
          </p>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={allEvents}
            onChange={(event) => setAllEvents(event.target.checked)}
          />{' '}
          All events, including ones added later
        </label>
        {!allEvents &&
          SUBSCRIBABLE_EVENT_TYPES.map((type) => (
            <label key={type} className="check">
              <input
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) =>
                  setEvents((current) =>
                    event.target.checked
                      ? [...current, type]
                      : current.filter((value) => value !== type),
                  )
                }
              />{' '}
              <span className="mono">{type}</span>
            </label>
          ))}
      </fieldset>
      <div>
        <button type="submit" className="button primary" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add endpoint'}
        </button>
      </div>
      {create.error && <ErrorNotice error={create.error} title="The endpoint was not added." />}
    </form>
  );
}

function EndpointCard({
  endpoint,
  onSecret,
  announce,
}: {
  endpoint: WebhookEndpoint;
  onSecret: (secret: string, url: string) => void;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.endpoints() });

  const toggle = useMutation({
    mutationFn: async (enabled: boolean) =>
      unwrap(
        await api.PATCH('/api/v1/webhook-endpoints/{id}', {
          params: { path: { id: endpoint.id } },
          body: { enabled },
        }),
      ),
    onSuccess: (updated) => {
      announce(`${updated.url} is now ${updated.enabled ? 'enabled' : 'disabled'}.`);
      void refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/webhook-endpoints/{id}/rotate-secret', {
          params: { path: { id: endpoint.id } },
        }),
      ),
    onSuccess: (rotated) => {
      onSecret(rotated.secret, rotated.url);
      void refresh();
    },
  });
  const sendTest = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/webhook-endpoints/{id}/test', {
          params: { path: { id: endpoint.id } },
        }),
      ),
    onSuccess: (delivery) => {
      announce(
        `A test event was sent to ${endpoint.url}: delivery ${humanize(delivery.status)}. See its deliveries for the answer.`,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries() });
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.DELETE('/api/v1/webhook-endpoints/{id}', {
          params: { path: { id: endpoint.id } },
        }),
      ),
    onSuccess: () => {
      announce(`${endpoint.url} was deleted with its deliveries.`);
      void refresh();
      void queryClient.invalidateQueries({ queryKey: queryKeys.deliveries() });
    },
  });

  const state = !endpoint.enabled ? 'disabled' : endpoint.failing_since ? 'failing' : 'enabled';
  const error = toggle.error ?? rotate.error ?? sendTest.error ?? remove.error;

  return (
    <li className="card endpoint">
      <h3 className="mono break">{endpoint.url}</h3>
      <p>
        <StatusBadge status={state} />{' '}
        {endpoint.disabled_reason && <span>{endpoint.disabled_reason}</span>}
        {endpoint.failing_since && (
          <span>
            {' '}
            Failing since <DateTime iso={endpoint.failing_since} />
          </span>
        )}
      </p>
      {endpoint.description && <p>{endpoint.description}</p>}
      <p className="small">
        Events:{' '}
        {endpoint.events.includes('*') ? 'all' : endpoint.events.map((type) => type).join(', ')}
      </p>
      <p className="small muted">
        Added <DateTime iso={endpoint.created_at} />
        {endpoint.previous_secret_expires_at && (
          <>
            {' '}
            · previous secret still signs until{' '}
            <DateTime iso={endpoint.previous_secret_expires_at} />
          </>
        )}
      </p>
      <div className="row wrap">
        <Link
          className="button"
          to={`/developers/deliveries?endpoint_id=${encodeURIComponent(endpoint.id)}`}
        >
          Deliveries
        </Link>
        <button
          type="button"
          className="button"
          disabled={toggle.isPending}
          onClick={() => toggle.mutate(!endpoint.enabled)}
        >
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        <ConfirmButton
          question="Rotate the signing secret? The old one keeps signing beside the new one for 24 hours."
          confirmLabel="Rotate"
          tone="primary"
          disabled={rotate.isPending}
          onConfirm={() => rotate.mutate()}
        >
          Rotate secret
        </ConfirmButton>
        <button
          type="button"
          className="button"
          disabled={sendTest.isPending || !endpoint.enabled}
          onClick={() => sendTest.mutate()}
        >
          {sendTest.isPending ? 'Sending…' : 'Send test event'}
        </button>
        <ConfirmButton
          question="Delete this endpoint and its delivery log? Events stay in the events list."
          confirmLabel="Delete"
          disabled={remove.isPending}
          onConfirm={() => remove.mutate()}
        >
          Delete
        </ConfirmButton>
      </div>
      {error && <ErrorNotice error={error} title="That did not work." />}
    </li>
  );
}

export default function EndpointsPage() {
  const [secret, setSecret] = useState<{ value: string; url: string } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const endpoints = useQuery({
    queryKey: queryKeys.endpointList(),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/webhook-endpoints', {
          params: { query: { limit: ENDPOINTS_PAGE_SIZE } },
          signal,
        }),
      ),
  });
  const reveal = (value: string, url: string) => {
    setAnnouncement('');
    setSecret({ value, url });
  };

  return (
    <>
      <PageHeader
        title="Webhook endpoints"
        description="Where this service sends signed events about your payments, refunds and wallet."
      />
      <div className="stack-lg">
        <Section title="Add an endpoint" id="add-endpoint">
          {secret ? (
            <SecretReveal
              label={`signing secret for ${secret.url}`}
              secret={secret.value}
              onDismiss={() => setSecret(null)}
            />
          ) : (
            <CreateEndpointForm onCreated={reveal} />
          )}
        </Section>
        <Section title="Your endpoints" id="endpoints">
          <StatusMessage>{announcement}</StatusMessage>
          {endpoints.isPending && <Loading what="webhook endpoints" />}
          {endpoints.error && (
            <ErrorNotice error={endpoints.error} title="Could not load your endpoints." />
          )}
          {endpoints.data && endpoints.data.endpoints.length === 0 && (
            <EmptyState title="No webhook endpoints yet.">
              Add one above to be told when payments succeed or fail.
            </EmptyState>
          )}
          {endpoints.data && endpoints.data.endpoints.length > 0 && (
            <ul className="plain-list stack">
              {endpoints.data.endpoints.map((endpoint) => (
                <EndpointCard
                  key={endpoint.id}
                  endpoint={endpoint}
                  onSecret={reveal}
                  announce={setAnnouncement}
                />
              ))}
            </ul>
          )}
        </Section>
      </div>
    </>
  );
}
