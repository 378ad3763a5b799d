export interface NavEntry {
  to: string;
  label: string;
  /** Shown only to admins (the page itself refuses others too). */
  adminOnly?: boolean;
}

/** The main navigation, in order. */
export const navEntries: readonly NavEntry[] = [
  { to: '/', label: 'Overview' },
  { to: '/payments', label: 'Payments' },
  { to: '/wallet', label: 'Wallet' },
  { to: '/disputes', label: 'Disputes' },
  { to: '/developers', label: 'Developers' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/admin', label: 'Admin', adminOnly: true },
];
