import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '../../api/errors';
import { queryKeys } from '../../api/query-keys';
import { api } from '../../app/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DateTime } from '../../components/format';
import { ErrorNotice, Loading, StatusMessage } from '../../components/feedback';
import { Fact, Facts, PageHeader, Section } from '../../components/layout';

/** The publishable key (SPEC §13): safe in a web page, it only creates and reads checkout sessions. */
export default function PublishableKeyPage() {
  const queryClient = useQueryClient();
  const key = useQuery({
    queryKey: queryKeys.publishableKey(),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/keys/publishable', { signal })),
  });
  const roll = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/keys/publishable/roll')),
    onSuccess: (rolled) => queryClient.setQueryData(queryKeys.publishableKey(), rolled),
  });

  return (
    <>
      <PageHeader
        title="Publishable key"
        description="Put this key in your web page for checkout.js: it can only create and read your checkout sessions, never move money or read anything else."
      />
      <Section title="Your key" id="publishable-key">
        {key.isPending && <Loading what="your publishable key" />}
        {key.error && (
          <ErrorNotice error={key.error} title="Could not load your publishable key." />
        )}
        {key.data && (
          <div className="stack">
            <Facts>
              <Fact label="Key">
                <code className="break" data-testid="publishable-key">
                  {key.data.key}
                </code>
              </Fact>
              <Fact label="Mode">
                {key.data.livemode ? 'Live' : 'Test (TEST_MODE is on: no real money)'}
              </Fact>
              <Fact label="Made">
                <DateTime iso={key.data.created_at} />
              </Fact>
            </Facts>
            <div>
              <ConfirmButton
                question="Replace this key? Pages using it stop working at once."
                confirmLabel="Roll key"
                onConfirm={() => roll.mutate()}
                disabled={roll.isPending}
              >
                {roll.isPending ? 'Rolling…' : 'Roll key'}
              </ConfirmButton>
            </div>
          </div>
        )}
        <StatusMessage>
          {roll.isSuccess && 'A new key replaced the old one; update the pages that use it.'}
        </StatusMessage>
        {roll.error && <ErrorNotice error={roll.error} title="The key was not rolled." />}
      </Section>
    </>
  );
}
