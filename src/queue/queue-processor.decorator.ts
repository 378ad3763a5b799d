import { Processor } from '@nestjs/bullmq';
import type { Job, WorkerOptions } from 'bullmq';
import { runInJobContext } from './job-context.js';
import { WORKER_LOCK_DURATION_MS, WORKER_STALLED_INTERVAL_MS } from './job-defaults.js';
import type { QueueName } from './queue-names.js';

type ProcessMethod = (this: unknown, job: Job, token?: string) => Promise<unknown>;

/**
 * `@Processor` for our WorkerHost classes:
 * - it does not start by itself: the WorkerRunner starts it only in processes whose PROCESS_ROLE
 *   runs workers, so an `api` process never consumes jobs;
 * - its `process(job)` runs in the job's context (job-context.ts): the request id that caused
 *   the job is on every line it logs and on every job it enqueues.
 */
export function QueueProcessor(
  queue: QueueName,
  options: Partial<WorkerOptions> = {},
): ClassDecorator {
  const processor = Processor(queue, {
    concurrency: 8,
    lockDuration: WORKER_LOCK_DURATION_MS,
    stalledInterval: WORKER_STALLED_INTERVAL_MS,
    ...options,
    autorun: false,
  });
  return (target) => {
    const prototype = target.prototype as { process?: ProcessMethod };
    const process = prototype.process;
    if (typeof process !== 'function') throw new Error(`${target.name} has no process(job)`);
    prototype.process = function (this: unknown, job: Job, token?: string) {
      return runInJobContext(job, () => process.call(this, job, token));
    };
    processor(target);
  };
}
