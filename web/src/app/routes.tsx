import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { Layout } from './Layout';
import { OverviewPage } from '../pages/overview/OverviewPage';
import { PaymentsPage } from '../pages/payments/PaymentsPage';
import { PaymentDetailPage } from '../pages/payments/PaymentDetailPage';
import { WalletPage } from '../pages/wallet/WalletPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { Navigate } from 'react-router';

// Developer and admin pages load on demand: most visits never open them.
const DevelopersLayout = lazy(() => import('../pages/developers/DevelopersLayout'));
const ApiKeysPage = lazy(() => import('../pages/developers/ApiKeysPage'));
const EndpointsPage = lazy(() => import('../pages/developers/EndpointsPage'));
const DeliveriesPage = lazy(() => import('../pages/developers/DeliveriesPage'));
const DeliveryDetailPage = lazy(() => import('../pages/developers/DeliveryDetailPage'));
const EventsPage = lazy(() => import('../pages/developers/EventsPage'));
const NotificationsPage = lazy(() => import('../pages/notifications/NotificationsPage'));
const PublishableKeyPage = lazy(() => import('../pages/developers/PublishableKeyPage'));
const AdminPayoutsPage = lazy(() => import('../pages/admin/AdminPayoutsPage'));
const DisputesPage = lazy(() => import('../pages/disputes/DisputesPage'));
const AdminDisputesPage = lazy(() => import('../pages/admin/AdminDisputesPage'));
const AdminLayout = lazy(() => import('../pages/admin/AdminLayout'));
const ReviewPaymentsPage = lazy(() => import('../pages/admin/ReviewPaymentsPage'));
const UnmatchedEventsPage = lazy(() => import('../pages/admin/UnmatchedEventsPage'));
const AdminRefundsPage = lazy(() => import('../pages/admin/AdminRefundsPage'));
const LedgerCheckPage = lazy(() => import('../pages/admin/LedgerCheckPage'));
const QueuesPage = lazy(() => import('../pages/admin/QueuesPage'));

/**
 * Every page of the dashboard (paths are relative to /dashboard/). Pages that come later plug in
 * at the EXTENSION POINT comments, each with its entry in navEntries or a section's sub-nav.
 */
export const appRoutes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: 'payments', element: <PaymentsPage /> },
      { path: 'payments/:reference', element: <PaymentDetailPage /> },
      // Withdraw, payout recipients and withdrawals are sections of the wallet page.
      { path: 'wallet', element: <WalletPage /> },
      { path: 'disputes', element: <DisputesPage /> },
      { path: 'notifications', element: <NotificationsPage /> },
      {
        path: 'developers',
        element: <DevelopersLayout />,
        children: [
          { index: true, element: <Navigate to="keys" replace /> },
          { path: 'keys', element: <ApiKeysPage /> },
          { path: 'publishable-key', element: <PublishableKeyPage /> },
          { path: 'webhooks', element: <EndpointsPage /> },
          { path: 'deliveries', element: <DeliveriesPage /> },
          { path: 'deliveries/:id', element: <DeliveryDetailPage /> },
          { path: 'events', element: <EventsPage /> },
        ],
      },
      {
        path: 'admin',
        element: <AdminLayout />,
        children: [
          { index: true, element: <Navigate to="review" replace /> },
          { path: 'review', element: <ReviewPaymentsPage /> },
          { path: 'webhook-events', element: <UnmatchedEventsPage /> },
          { path: 'refunds', element: <AdminRefundsPage /> },
          { path: 'payouts', element: <AdminPayoutsPage /> },
          { path: 'disputes', element: <AdminDisputesPage /> },
          { path: 'ledger', element: <LedgerCheckPage /> },
          { path: 'queues', element: <QueuesPage /> },
        ],
      },
      { path: 'sign-in', element: <Navigate to="/" replace /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
