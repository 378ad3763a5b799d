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
  'payment.authorized',
  'payment.canceled',
  'dispute.created',
  'dispute.updated',
  'dispute.closed',
  'payout.succeeded',
  'payout.failed',
  'payout.reversed',
] as const;
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number];

/**
 * What `POST /webhook-endpoints/{id}/test` sends: recorded like any event (so it shows in the
 * delivery log and GET /events) but never subscribable and never relayed to other endpoints.
 */
export const TEST_EVENT_TYPE = 'webhook.test';
/** Every type a recorded event can have: the subscribable ones and the test event. */
export const RECORDED_EVENT_TYPES = [...OUTBOUND_EVENT_TYPES, TEST_EVENT_TYPE] as const;

/** A delivery (one event on its way to one endpoint) is pending until a 2xx or its last attempt. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
