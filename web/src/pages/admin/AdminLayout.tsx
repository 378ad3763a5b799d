import { Outlet } from 'react-router';
import { useUser } from '../../app/session';
import { PageHeader } from '../../components/layout';
import { SubNav } from '../../components/SubNav';

const entries = [
  { to: '/admin/review', label: 'Needs review' },
  { to: '/admin/webhook-events', label: 'Unmatched events' },
  { to: '/admin/refunds', label: 'Refunds awaiting a person' },
  { to: '/admin/payouts', label: 'Payouts awaiting a person' },
  { to: '/admin/disputes', label: 'Disputes' },
  { to: '/admin/ledger', label: 'Ledger check' },
  { to: '/admin/queues', label: 'Queues' },
];

/** Admin pages: refused here for non-admins (the API refuses them too, with 403). */
export default function AdminLayout() {
  const user = useUser();
  if (!user.is_admin) {
    return (
      <>
        <PageHeader title="Not allowed" />
        <div className="notice notice-error" role="alert">
          <p>
            The admin pages are for the service’s operators. You are signed in as{' '}
            <strong>{user.email}</strong>, which is not an admin account.
          </p>
          <p>
            If you run this service, add that address to <code>ADMIN_EMAILS</code> in its
            configuration, restart it and sign in again.
          </p>
        </div>
      </>
    );
  }
  return (
    <>
      <SubNav label="Admin" entries={entries} />
      <Outlet />
    </>
  );
}
