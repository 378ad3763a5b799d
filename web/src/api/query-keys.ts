/**
 * Every cached API answer is keyed here, under one tree, so a mutation can invalidate exactly
 * the answers it changes: a key's prefix is the key of everything under it.
 */
type Filters = Record<string, string | number | boolean | null | undefined>;

/** Drops unset filters so `{ status: undefined }` and `{}` name the same cached answer. */
export function compactFilters(filters: Filters): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(filters).sort()) {
    const value = filters[key];
    if (value === undefined || value === null || value === '') continue;
    out[key] = value;
  }
  return out;
}

/** Endpoints are few per account: one page of the API's maximum size shows them all. */
export const ENDPOINTS_PAGE_SIZE = 100;

export const queryKeys = {
  all: ['api'] as const,

  wallet: () => ['api', 'wallet'] as const,
  walletTransactions: (filters: { type?: string; cursor?: string }) =>
    ['api', 'wallet', 'transactions', compactFilters(filters)] as const,

  payments: () => ['api', 'payments'] as const,
  paymentList: (filters: { status?: string; gateway?: string; cursor?: string }) =>
    ['api', 'payments', 'list', compactFilters(filters)] as const,
  paymentsSince: (sinceIso: string) => ['api', 'payments', 'since', sinceIso] as const,
  payment: (reference: string) => ['api', 'payments', 'detail', reference] as const,
  paymentAudit: (reference: string) => ['api', 'payments', 'detail', reference, 'audit'] as const,
  paymentRefunds: (reference: string, cursor?: string) =>
    ['api', 'payments', 'detail', reference, 'refunds', compactFilters({ cursor })] as const,

  apiKeys: () => ['api', 'keys'] as const,
  apiKeyList: (cursor?: string) => ['api', 'keys', compactFilters({ cursor })] as const,

  endpoints: () => ['api', 'webhook-endpoints'] as const,
  /** All of them: one page of ENDPOINTS_PAGE_SIZE (endpoints are few per account). */
  endpointList: () => ['api', 'webhook-endpoints', 'list', { limit: ENDPOINTS_PAGE_SIZE }] as const,

  deliveries: () => ['api', 'webhook-deliveries'] as const,
  deliveryList: (filters: {
    status?: string;
    endpoint_id?: string;
    offset: number;
    limit: number;
  }) => ['api', 'webhook-deliveries', 'list', compactFilters(filters)] as const,
  delivery: (id: string) => ['api', 'webhook-deliveries', 'detail', id] as const,

  events: (filters: { type?: string; cursor?: string }) =>
    ['api', 'events', compactFilters(filters)] as const,

  admin: () => ['api', 'admin'] as const,
  adminPayments: (filters: { status?: string; cursor?: string }) =>
    ['api', 'admin', 'payments', compactFilters(filters)] as const,
  adminWebhookEvents: (filters: { status?: string; cursor?: string }) =>
    ['api', 'admin', 'webhook-events', compactFilters(filters)] as const,
  adminRefunds: (filters: { needs_attention?: string; status?: string; cursor?: string }) =>
    ['api', 'admin', 'refunds', compactFilters(filters)] as const,
  ledgerCheck: () => ['api', 'admin', 'ledger-check'] as const,
  adminPayouts: (filters: { status?: string; cursor?: string }) =>
    ['api', 'admin', 'payouts', compactFilters(filters)] as const,

  notifications: () => ['api', 'notifications'] as const,
  notificationList: (filters: { unread: boolean; cursor?: string }) =>
    ['api', 'notifications', 'list', compactFilters(filters)] as const,
  notificationPreferences: () => ['api', 'notification-preferences'] as const,

  banks: (gateway: string, currency: string) => ['api', 'banks', gateway, currency] as const,
  payoutRecipients: () => ['api', 'payout-recipients'] as const,
  /** Withdrawals change the wallet's balance: they live under the wallet's key. */
  withdrawals: (filters: { cursor?: string }) =>
    ['api', 'wallet', 'withdrawals', compactFilters(filters)] as const,

  publishableKey: () => ['api', 'keys-publishable'] as const,

  disputes: () => ['api', 'disputes'] as const,
  disputeList: (filters: { status?: string; cursor?: string }) =>
    ['api', 'disputes', 'list', compactFilters(filters)] as const,
  adminDisputes: (filters: { status?: string; cursor?: string }) =>
    ['api', 'admin', 'disputes', compactFilters(filters)] as const,
};

/** Whether `key` lies under `prefix` (what TanStack Query's invalidateQueries matches). */
export function isUnder(key: readonly unknown[], prefix: readonly unknown[]): boolean {
  return (
    prefix.length <= key.length &&
    prefix.every((part, index) => JSON.stringify(part) === JSON.stringify(key[index]))
  );
}
