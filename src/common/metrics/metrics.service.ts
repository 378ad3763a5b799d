import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry and the business metrics other modules record. A registry of
 * its own (not prom-client's global one) so several apps in one test process do not collide.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly webhooksReceived = new Counter({
    name: 'inbound_webhooks_received_total',
    help: 'Gateway webhooks that passed signature verification, by gateway and whether they were duplicates',
    labelNames: ['gateway', 'duplicate'] as const,
    registers: [this.registry],
  });

  readonly webhooksRejected = new Counter({
    name: 'inbound_webhooks_rejected_total',
    help: 'Gateway webhooks refused, by gateway and error code (INVALID_SIGNATURE, MALFORMED_WEBHOOK, …)',
    labelNames: ['gateway', 'code'] as const,
    registers: [this.registry],
  });

  readonly webhookSettleLatency = new Histogram({
    name: 'inbound_webhook_processing_seconds',
    help: 'Time from receiving a gateway webhook to finishing its processing, by gateway and outcome',
    labelNames: ['gateway', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
    registers: [this.registry],
  });

  readonly paymentTransitions = new Counter({
    name: 'payment_transitions_total',
    help: 'Payment state changes made by settlement, by gateway and new state',
    labelNames: ['gateway', 'status'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'webhook_delivery_attempts_total',
    help: 'Outbound webhook delivery attempts by resulting delivery status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly payouts = new Counter({
    name: 'payouts_total',
    help: 'Payouts by event in this process: requested, succeeded, failed, reversed, rejected',
    labelNames: ['gateway', 'event'] as const,
    registers: [this.registry],
  });

  readonly transfers = new Counter({
    name: 'wallet_transfers_total',
    help: 'Wallet-to-wallet transfers by outcome (success or error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly notificationEmails = new Counter({
    name: 'notification_emails_total',
    help: 'Notification mail attempts by outcome: sent, logged (no SMTP_URL), retried (refused, due again) or failed (last attempt)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
