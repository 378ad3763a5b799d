import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import type { EmailPreferences, Notification } from '../../api/schema';
import { api } from '../../app/session';
import { DateTime } from '../../components/format';
import { EmptyState, ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { PageHeader, Section } from '../../components/layout';
import { CursorPager } from '../../components/Pager';
import { StatusBadge } from '../../components/StatusBadge';
import { humanize } from '../../lib/enums';
import { useCursorTrail } from '../../lib/use-cursor-trail';

/** What each email switch covers, in the words of the API's documentation. */
const SWITCH_LABELS: Record<keyof EmailPreferences, string> = {
  payment_receipts: 'Receipts to your payers for payments and refunds',
  wallet_deposits: 'Your wallet was credited by a deposit',
  wallet_transfers: 'Money from another wallet arrived',
  payouts: 'A withdrawal to your bank succeeded, failed or was reversed',
};

function NotificationItem({
  notification,
  announce,
}: {
  notification: Notification;
  announce: (message: string) => void;
}) {
  const queryClient = useQueryClient();
  const read = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/api/v1/notifications/{id}/read', {
          params: { path: { id: notification.id } },
        }),
      ),
    onSuccess: () => {
      announce(`Marked “${notification.title}” read.`);
      void queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
    },
  });
  const unread = notification.read_at === null;
  return (
    <li className={`card notification${unread ? ' notification-unread' : ''}`}>
      <h3 className="notification-title">
        {unread && <StatusBadge status="unread" />} {notification.title}
      </h3>
      <p>{notification.body}</p>
      <p className="muted small">
        <DateTime iso={notification.created_at} /> · {humanize(notification.type)} · email{' '}
        {humanize(notification.email_status).toLowerCase()}
        {!unread && (
          <>
            {' '}
            · read <DateTime iso={notification.read_at} />
          </>
        )}
      </p>
      {unread && (
        <div>
          <button
            type="button"
            className="button"
            disabled={read.isPending}
            onClick={() => read.mutate()}
            aria-label={`Mark “${notification.title}” read`}
          >
            Mark read
          </button>
        </div>
      )}
      {read.error && <ErrorNotice error={read.error} title="Could not mark it read." />}
    </li>
  );
}

function NotificationList() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get('unread') === 'true';
  const paging = useCursorTrail(unreadOnly ? 'unread' : 'all');
  const [announcement, setAnnouncement] = useState('');
  const list = useQuery({
    queryKey: queryKeys.notificationList({ unread: unreadOnly, cursor: paging.cursor }),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/notifications', {
          params: {
            query: {
              unread: unreadOnly ? 'true' : undefined,
              cursor: paging.cursor,
              limit: 20,
            },
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const readAll = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/notifications/read-all')),
    onSuccess: (result) => {
      setAnnouncement(
        result.marked_read === 1
          ? '1 notification marked read.'
          : `${result.marked_read} notifications marked read.`,
      );
      void queryClient.invalidateQueries({ queryKey: queryKeys.notifications() });
    },
  });

  return (
    <>
      <div className="filters row">
        <label className="check">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              if (event.target.checked) next.set('unread', 'true');
              else next.delete('unread');
              setParams(next);
            }}
          />{' '}
          Only unread
        </label>
        <button
          type="button"
          className="button"
          disabled={readAll.isPending}
          onClick={() => readAll.mutate()}
        >
          {readAll.isPending ? 'Marking…' : 'Mark all read'}
        </button>
      </div>
      <StatusMessage>{announcement}</StatusMessage>
      {readAll.error && <ErrorNotice error={readAll.error} title="Could not mark them read." />}
      {list.isPending && <Loading what="notifications" />}
      {list.error && <ErrorNotice error={list.error} title="Could not load your notifications." />}
      {list.data && list.data.notifications.length === 0 && (
        <EmptyState title={unreadOnly ? 'Nothing unread.' : 'No notifications yet.'}>
          {unreadOnly
            ? 'Clear “Only unread” to see the ones you have read.'
            : 'Deposits, transfers you receive, payouts and your payers’ receipts are told here.'}
        </EmptyState>
      )}
      {list.data && list.data.notifications.length > 0 && (
        <ul className="plain-list stack" aria-label="Notifications, newest first">
          {list.data.notifications.map((notification) => (
            <NotificationItem
              key={notification.id}
              notification={notification}
              announce={setAnnouncement}
            />
          ))}
        </ul>
      )}
      <CursorPager
        label="Notifications"
        page={paging.page}
        hasPrevious={paging.hasPrevious}
        hasNext={Boolean(list.data?.next_cursor)}
        onPrevious={paging.previous}
        onNext={() => paging.next(list.data?.next_cursor)}
      />
    </>
  );
}

function PreferencesForm({ current }: { current: EmailPreferences }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<EmailPreferences>(current);
  const save = useMutation({
    mutationFn: async (email: Partial<EmailPreferences>) =>
      unwrap(await api.PATCH('/api/v1/notification-preferences', { body: { email } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.notificationPreferences(), saved);
      setDraft(saved.email);
    },
  });
  const switches = Object.keys(SWITCH_LABELS) as (keyof EmailPreferences)[];
  const changed = switches.filter((name) => draft[name] !== current[name]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(Object.fromEntries(changed.map((name) => [name, draft[name]])));
  };
  return (
    <form onSubmit={submit} className="stack" aria-label="Email preferences">
      <fieldset>
        <legend>Send me an email when</legend>
        {switches.map((name) => (
          <label key={name} className="check">
            <input
              type="checkbox"
              checked={draft[name]}
              onChange={(event) => {
                save.reset();
                setDraft({ ...draft, [name]: event.target.checked });
              }}
            />{' '}
            {SWITCH_LABELS[name]}
          </label>
        ))}
      </fieldset>
      <p className="muted small">In-app notifications are kept whatever these say.</p>
      <div>
        <button
          type="submit"
          className="button primary"
          disabled={save.isPending || changed.length === 0}
        >
          {save.isPending ? 'Saving…' : 'Save preferences'}
        </button>
      </div>
      <StatusMessage>{save.isSuccess && 'Your email preferences are saved.'}</StatusMessage>
      {save.error && <ErrorNotice error={save.error} title="Your preferences were not saved." />}
    </form>
  );
}

function Preferences() {
  const preferences = useQuery({
    queryKey: queryKeys.notificationPreferences(),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/notification-preferences', { signal })),
  });
  if (preferences.isPending) return <Loading what="your preferences" />;
  if (preferences.error)
    return <ErrorNotice error={preferences.error} title="Could not load your preferences." />;
  return <PreferencesForm current={preferences.data.email} />;
}

export default function NotificationsPage() {
  return (
    <>
      <PageHeader title="Notifications" description="What happened to your money, newest first." />
      <div className="stack-lg">
        <Section title="Inbox" id="inbox">
          <NotificationList />
        </Section>
        <Section title="Email preferences" id="preferences">
          <Preferences />
        </Section>
      </div>
    </>
  );
}
