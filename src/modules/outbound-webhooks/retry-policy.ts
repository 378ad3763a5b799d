/** Longest wait a receiver's `Retry-After` can impose before the next attempt. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
/** An endpoint whose attempts have all failed for this long is disabled. */
export const DISABLE_FAILING_ENDPOINT_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/** Spread of the random jitter applied to scheduled delays (±20 %). */
export const JITTER_RATIO = 0.2;

/** A delay moved by up to ±JITTER_RATIO, so retries of many deliveries do not arrive in step. */
export function withJitter(delayMs: number, random: () => number = Math.random): number {
  if (delayMs <= 0) return 0;
  const factor = 1 + (random() * 2 - 1) * JITTER_RATIO;
  return Math.max(0, Math.round(delayMs * factor));
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date, capped at
 * MAX_RETRY_AFTER_MS; null when absent or unreadable (the schedule applies then).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: Date = new Date(),
): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now.getTime()), MAX_RETRY_AFTER_MS);
}

export type AttemptOutcome =
  | { kind: 'succeeded' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'gone' };

/**
 * What follows an attempt. `attemptsMade` counts this one; the schedule lists the delay before
 * each attempt (index 0 is the first), so its length is the number of attempts.
 */
export function decideAfterAttempt(
  statusCode: number | null,
  retryAfter: string | null,
  attemptsMade: number,
  scheduleMs: readonly number[],
  random: () => number = Math.random,
): AttemptOutcome {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { kind: 'succeeded' };
  if (statusCode === 410) return { kind: 'gone' };
  if (attemptsMade >= scheduleMs.length) {
    return { kind: 'failed', reason: `no 2xx after ${attemptsMade} attempt(s)` };
  }
  const scheduled = withJitter(scheduleMs[attemptsMade], random);
  if (statusCode === 429) {
    const asked = parseRetryAfter(retryAfter);
    // Honour the receiver's wait, but never retry sooner than the schedule would anyway.
    if (asked !== null) return { kind: 'retry', delayMs: Math.max(asked, scheduled) };
  }
  return { kind: 'retry', delayMs: scheduled };
}
