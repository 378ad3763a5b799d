import type { JobsOptions } from 'bullmq';
import type { AppConfig } from '../../config/app-config.js';
import { jobId } from '../../queue/queue-names.js';

export interface ProcessRefundJob {
  refundId: string;
}

/** One job per refund: a second enqueue while the first is queued or running adds nothing. */
export function refundJobId(refundId: string): string {
  return jobId('refund', refundId);
}

export function refundJobOptions(config: AppConfig, refundId: string): JobsOptions {
  return {
    jobId: refundJobId(refundId),
    attempts: config.refundAttempts,
    backoff: { type: 'exponential', delay: config.refundBackoffMs },
  };
}
