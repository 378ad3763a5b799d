import type { JobsOptions } from 'bullmq';
import type { AppConfig } from '../../config/app-config.js';
import { jobId } from '../../queue/queue-names.js';

export interface ProcessPayoutJob {
  payoutId: string;
}

/** One job per payout: a second enqueue while the first is queued or running adds nothing. */
export function payoutJobId(payoutId: string): string {
  return jobId('payout', payoutId);
}

export function payoutJobOptions(config: AppConfig, payoutId: string): JobsOptions {
  return {
    jobId: payoutJobId(payoutId),
    attempts: config.payoutAttempts,
    backoff: { type: 'exponential', delay: config.payoutBackoffMs },
  };
}
