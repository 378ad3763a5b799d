import type { JobsOptions } from 'bullmq';

/** Default attempts and backoff for every job; a queue or job may narrow them. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 3_600, count: 5_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

/** How long a request-path enqueue may wait for Redis before giving up (the sweepers catch up). */
export const ENQUEUE_TIMEOUT_MS = 1_000;
