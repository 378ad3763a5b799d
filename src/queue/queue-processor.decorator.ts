import { Processor } from '@nestjs/bullmq';
import type { WorkerOptions } from 'bullmq';
import { WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from './job-defaults.js';
import type { QueueName } from './queue-names.js';

/**
 * `@Processor` that does not start by itself: the WorkerRunner starts it only in processes whose
 * PROCESS_ROLE runs workers, so an `api` process never consumes jobs.
 */
export function QueueProcessor(
  queue: QueueName,
  options: Partial<WorkerOptions> = {},
): ClassDecorator {
  return Processor(queue, {
    concurrency: 8,
    lockDuration: WORKER_LOCK_DURATION_MS,
    stalledInterval: WORKER_STALLED_INTERVAL_MS,
    ...options,
    autorun: false,
  });
}
