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

/**
 * Runs a job's work with the request id of the request that enqueued it (or a job-derived id)
 * bound to its log lines and visible to the jobs it enqueues in turn. Every processor's
 * `process` runs inside it (QueueProcessor).
 */
export function runInJobContext<T>(job: Job, work: () => T): T {
  const requestId = requestIdOfJob(job);
  const run = () => runWithRequestId(requestId, work);
  if (!contextLogger) return run();
  return contextLogger.runInContext(run, {
    bindings: { request_id: requestId, job_id: job.id, queue: job.queueName, job_name: job.name },
  });
}
