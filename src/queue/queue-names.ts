/**
 * Queue and job names. These strings live in Redis: never rename one that has shipped.
 * BullMQ job ids may not contain ':'; build them with `jobId()`.
 */
export const QueueName = {
  InboundWebhooks: 'inbound-webhooks',
  Payments: 'payments',
  Refunds: 'refunds',
  WebhookDeliveries: 'webhook-deliveries',
  Maintenance: 'maintenance',
  /** Outbox relay and delivery sweeper: kept off webhook-deliveries so a backlog cannot starve them. */
  WebhookRelay: 'webhook-relay',
  /** Notifications: the inbox relay and mail sweeper, apart from the mails so a backlog cannot starve them. */
  NotificationRelay: 'notification-relay',
  NotificationEmails: 'notification-emails',
  Payouts: 'payouts',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: QueueName[] = Object.values(QueueName);

export const JobName = {
  ProcessInboundWebhook: 'process-inbound-webhook',
  SettlePayment: 'settle-payment',
  ProcessRefund: 'process-refund',
  DeliverWebhook: 'deliver-webhook',
  RelayOutbox: 'relay-outbox',
  SweepInboundWebhooks: 'sweep-inbound-webhooks',
  ReconcilePayments: 'reconcile-payments',
  ReconcileRefunds: 'reconcile-refunds',
  SweepDeliveries: 'sweep-deliveries',
  PurgeIdempotencyKeys: 'purge-idempotency-keys',
  PurgeAuthTokens: 'purge-auth-tokens',
  PurgeInboundPayloads: 'purge-inbound-payloads',
  PollDisputes: 'poll-disputes',
  RelayNotifications: 'relay-notifications',
  SweepNotificationEmails: 'sweep-notification-emails',
  SendNotificationEmail: 'send-notification-email',
  SettleTestPayments: 'settle-test-payments',
  ProcessPayout: 'process-payout',
  ReconcilePayouts: 'reconcile-payouts',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** A deterministic job id from parts; ':' is not allowed by BullMQ, so parts are joined by '.'. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((part) => String(part).replace(/:/g, '_')).join('.');
}
