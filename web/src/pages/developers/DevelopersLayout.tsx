import { Outlet } from 'react-router';
import { SubNav } from '../../components/SubNav';

const entries = [
  { to: '/developers/keys', label: 'API keys' },
  { to: '/developers/publishable-key', label: 'Publishable key' },
  { to: '/developers/webhooks', label: 'Webhook endpoints' },
  { to: '/developers/deliveries', label: 'Delivery log' },
  { to: '/developers/events', label: 'Events' },
];

export default function DevelopersLayout() {
  return (
    <>
      <SubNav label="Developers" entries={entries} />
      <Outlet />
    </>
  );
}
