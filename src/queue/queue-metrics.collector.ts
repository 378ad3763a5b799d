import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Gauge } from 'prom-client';
import { QueueName } from './queue-names.js';
import { MetricsService } from '../common/metrics/metrics.service.js';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'prioritized',
  'waiting-children',
] as const;

/** Queue depth, read from Redis at scrape time (skipped quietly while Redis is down). */
@Injectable()
export class QueueMetricsCollector {
  constructor(
    metrics: MetricsService,
    @InjectQueue(QueueName.InboundWebhooks) inbound: Queue,
    @InjectQueue(QueueName.Payments) payments: Queue,
    @InjectQueue(QueueName.Refunds) refunds: Queue,
    @InjectQueue(QueueName.WebhookDeliveries) deliveries: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectQueue(QueueName.NotificationEmails) notificationEmails: Queue,
    @InjectQueue(QueueName.Payouts) payouts: Queue,
  ) {
    const queues = [
      inbound,
      payments,
      refunds,
      deliveries,
      maintenance,
      notificationEmails,
      payouts,
    ];
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [metrics.registry],
      // Every HTTP process of an instance reads the same Redis: across processes, one reading.
      aggregator: 'max',
      async collect() {
        const results = await Promise.allSettled(
          queues.map(async (queue) => {
            const counts = await Promise.race([
              queue.getJobCounts(...STATES),
              new Promise<never>((_, reject) =>
                setTimeout(() => reject(new Error('timeout')), 1_000),
              ),
            ]);
            return { name: queue.name, counts };
          }),
        );
        this.reset();
        for (const result of results) {
          if (result.status !== 'fulfilled') continue;
          for (const state of STATES)
            this.set({ queue: result.value.name, state }, result.value.counts[state] ?? 0);
        }
      },
    });
  }
}
