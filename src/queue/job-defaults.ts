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

/**
 * A job held by a worker that died (killed, OOM, host lost) comes back once its lock expires and a
 * stalled-job check sees it: about lockDuration + stalledInterval. BullMQ's 30 s + 30 s would leave
 * a webhook settlement waiting up to a minute; locks are renewed every lockDuration / 2 while the
 * worker lives, so a shorter lock only costs a renewal every 5 s. A job that does run twice (an
 * event loop stalled past 10 s) is safe: every job is written to run more than once (settlement
 * under a row lock, deliveries keep their webhook-id, gateway refunds carry an idempotency key).
 */
export const WORKER_LOCK_DURATION_MS = 10_000;
export const WORKER_STALLED_INTERVAL_MS = 5_000;
