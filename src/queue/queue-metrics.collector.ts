import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Gauge } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service.js';
import { registeredQueues } from './registered-queues.js';

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
  constructor(metrics: MetricsService, moduleRef: ModuleRef) {
    // Resolved at the first scrape: the queues' providers may not exist yet while this one is made.
    let queues: ReturnType<typeof registeredQueues> | undefined;
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per BullMQ queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [metrics.registry],
      // Every HTTP process of an instance reads the same Redis: across processes, one reading.
      aggregator: 'max',
      async collect() {
        queues ??= registeredQueues(moduleRef);
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
