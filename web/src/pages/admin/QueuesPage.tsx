import { useMutation } from '@tanstack/react-query';
import { unwrap } from '../../api/errors';
import { api } from '../../app/session';
import { ErrorNotice, StatusMessage } from '../../components/feedback';
import { Icon } from '../../components/icons';
import { PageHeader } from '../../components/layout';

const QUEUE_BOARD = '/api/v1/admin/queues';

export default function QueuesPage() {
  // The board is a separate page a browser navigates to, so it cannot get the bearer header: the
  // API first sets an HttpOnly cookie (scoped to the board's path) from this session's token.
  const open = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/admin/queues-session')),
  });
  return (
    <>
      <PageHeader
        title="Queues"
        description="The job queues (inbound webhooks, payments, refunds, deliveries) on the Bull Board."
      />
      <p>
        <button
          type="button"
          className="button"
          disabled={open.isPending}
          onClick={() => open.mutate()}
        >
          {open.isSuccess ? 'Allow again' : 'Allow this browser to open the queue board'}
        </button>
      </p>
      <StatusMessage>
        {open.isSuccess && (
          <>
            Allowed until your current access token expires.{' '}
            <a href={QUEUE_BOARD} target="_blank" rel="noopener noreferrer">
              Open the queue board <Icon name="external" />
              <span className="visually-hidden"> (opens in a new tab)</span>
            </a>
          </>
        )}
      </StatusMessage>
      {open.error && <ErrorNotice error={open.error} title="Could not open the queue board." />}
    </>
  );
}
