import type { JobsOptions } from 'bullmq';
import type { AppConfig } from '../../config/app-config.js';
import { jobId } from '../../queue/queue-names.js';

export interface ProcessInboundWebhookJob {
  inboundEventId: string;
}

/** One job per stored event and generation (an admin replay bumps the generation). */
export function inboundJobId(eventRowId: string, generation: number): string {
  return jobId('inbound', eventRowId, generation);
}

export function inboundJobOptions(
  config: AppConfig,
  eventRowId: string,
  generation: number,
): JobsOptions {
  return {
    jobId: inboundJobId(eventRowId, generation),
    attempts: config.inboundWebhookAttempts,
    backoff: { type: 'exponential', delay: config.inboundWebhookBackoffMs },
  };
}
