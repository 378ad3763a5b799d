import type { paths } from '../api/schema';

type QueryOf<Path extends keyof paths> = paths[Path] extends {
  get: { parameters: { query?: infer Query } };
}
  ? NonNullable<Query>
  : never;

/**
 * A runtime list of every value of a generated union: the build fails if the server adds a value
 * this list lacks (or drops one it has), so filters never silently miss a state.
 */
function everyValueOf<Union extends string>() {
  return <const Values extends readonly Union[]>(
    values: Values &
      ([Union] extends [Values[number]] ? unknown : 'a value of the union is missing'),
  ): Values => values;
}

export const PAYMENT_STATUSES = everyValueOf<NonNullable<QueryOf<'/api/v1/payments'>['status']>>()([
  'pending',
  'succeeded',
  'failed',
  'abandoned',
  'needs_review',
  'authorized',
  'canceled',
]);

export const GATEWAYS = everyValueOf<NonNullable<QueryOf<'/api/v1/payments'>['gateway']>>()([
  'paystack',
  'flutterwave',
  'stripe',
  'paypal',
  'generic',
  'test',
]);

export const TRANSACTION_TYPES = everyValueOf<
  NonNullable<QueryOf<'/api/v1/wallet/transactions'>['type']>
>()([
  'deposit',
  'transfer_in',
  'transfer_out',
  'refund',
  'refund_reversal',
  'dispute_hold',
  'dispute_release',
  'withdrawal',
  'withdrawal_reversal',
]);

export const DELIVERY_STATUSES = everyValueOf<
  NonNullable<QueryOf<'/api/v1/webhook-deliveries'>['status']>
>()(['pending', 'succeeded', 'failed']);

export const EVENT_TYPES = everyValueOf<NonNullable<QueryOf<'/api/v1/events'>['type']>>()([
  'payment.success',
  'payment.failed',
  'refund.processed',
  'refund.failed',
  'wallet.deposit.success',
  'wallet.transfer.received',
  'payment.authorized',
  'payment.canceled',
  'dispute.created',
  'dispute.updated',
  'dispute.closed',
  'payout.succeeded',
  'payout.failed',
  'payout.reversed',
  'webhook.test',
]);

export const PAYOUT_STATUSES = everyValueOf<
  NonNullable<QueryOf<'/api/v1/admin/payouts'>['status']>
>()([
  'pending_approval',
  'pending',
  'processing',
  'requires_otp',
  'succeeded',
  'failed',
  'reversed',
  'rejected',
]);

export const DISPUTE_STATUSES = everyValueOf<NonNullable<QueryOf<'/api/v1/disputes'>['status']>>()([
  'open',
  'under_review',
  'won',
  'lost',
  'accepted',
]);

/** What an endpoint can subscribe to: every event type but the test event (sent on request). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter(
  (type): type is Exclude<(typeof EVENT_TYPES)[number], 'webhook.test'> => type !== 'webhook.test',
);

export const INBOUND_EVENT_STATUSES = everyValueOf<
  NonNullable<QueryOf<'/api/v1/admin/webhook-events'>['status']>
>()(['received', 'processing', 'processed', 'unmatched', 'failed', 'ignored']);

type CreateKeyBody = paths['/api/v1/keys']['post']['requestBody'] extends
  { content: { 'application/json': infer Body } } | undefined
  ? Body
  : never;

export const API_KEY_PERMISSIONS = everyValueOf<CreateKeyBody['permissions'][number]>()([
  'read',
  'deposit',
  'transfer',
  'payments',
  'refunds',
  'webhooks',
  'payouts',
]);

export const API_KEY_EXPIRIES = everyValueOf<CreateKeyBody['expiry']>()(['1H', '1D', '1M', '1Y']);

export const EXPIRY_LABELS: Record<CreateKeyBody['expiry'], string> = {
  '1H': '1 hour',
  '1D': '1 day',
  '1M': '1 month',
  '1Y': '1 year',
};

function isOneOf<const Values extends readonly string[]>(
  values: Values,
  raw: string,
): raw is Values[number] {
  return values.includes(raw);
}

/** A search parameter narrowed to one of the allowed values, or undefined. */
export function oneOf<const Values extends readonly string[]>(
  values: Values,
  raw: string | null,
): Values[number] | undefined {
  return raw !== null && isOneOf(values, raw) ? raw : undefined;
}

/** "needs_review" → "Needs review" */
export function humanize(value: string): string {
  const spaced = value.replace(/[_.]/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
