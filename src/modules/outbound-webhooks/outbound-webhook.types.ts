/**
 * The event types a service can subscribe to. They name rows of the outbox (`events`): one row
 * per thing that happened, written in the same transaction as the change it reports, whose `data`
 * is the object as its GET route shows it; a relay fans each row out into deliveries.
 */
export const OUTBOUND_EVENT_TYPES = [
  'payment.success',
  'payment.failed',
  'refund.processed',
  'refund.failed',
  'wallet.deposit.success',
  'wallet.transfer.received',
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

/** A delivery (one event on its way to one endpoint) is pending until a 2xx or its last attempt. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
