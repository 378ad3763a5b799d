import { ProcessorDecoratorService } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { PinoLogger } from 'nestjs-pino';
import { runWithRequestId } from '../common/request/request-context.js';

/** Job data key carrying the id of the request that caused the job (set by QueueProducer). */
export const REQUEST_ID_KEY = '_request_id';

let contextLogger: PinoLogger | undefined;

export function setJobContextLogger(logger: PinoLogger): void {
  contextLogger = logger;
}

function requestIdOfJob(job: Job): string {
  const data = job.data as Record<string, unknown> | undefined;
  const fromRequest = data?.[REQUEST_ID_KEY];
  return typeof fromRequest === 'string'
    ? fromRequest
    : `job-${job.queueName}-${job.id ?? 'unknown'}`;
}

type Processor = (job: Job, token?: string) => Promise<unknown>;

/**
 * Every job runs with the request id of the request that enqueued it (or a job-derived id) bound
 * to its log lines and visible to the jobs it enqueues in turn. @nestjs/bullmq documents
 * ProcessorDecoratorService.decorate as the extension point for wrapping processors.
 */
const prototype = ProcessorDecoratorService.prototype;
const originalDecorate = Object.getOwnPropertyDescriptor(prototype, 'decorate')?.value as (
  this: ProcessorDecoratorService,
  processor: Processor,
) => Processor;

function decorateWithJobContext(this: ProcessorDecoratorService, processor: Processor): Processor {
  const inner = originalDecorate.call(this, processor);
  return (job: Job, token?: string) => {
    const requestId = requestIdOfJob(job);
    const run = () => runWithRequestId(requestId, () => inner(job, token));
    if (!contextLogger) return run();
    return contextLogger.runInContext(run, {
      bindings: { request_id: requestId, job_id: job.id, queue: job.queueName, job_name: job.name },
    });
  };
}

Object.defineProperty(prototype, 'decorate', {
  value: decorateWithJobContext,
  writable: true,
  configurable: true,
});
