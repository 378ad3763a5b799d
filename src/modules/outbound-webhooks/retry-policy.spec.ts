import {
  decideAfterAttempt,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  withJitter,
} from './retry-policy.js';

const SCHEDULE = [0, 60_000, 300_000];

describe('webhook retry policy', () => {
  it('treats any 2xx as success', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(decideAfterAttempt(status, null, 1, SCHEDULE)).toEqual({ kind: 'succeeded' });
    }
  });

  it('gives up on 410 at once', () => {
    expect(decideAfterAttempt(410, null, 1, SCHEDULE)).toEqual({ kind: 'gone' });
  });

  it('waits the scheduled delay of the next attempt, jittered by at most 20 %', () => {
    const low = decideAfterAttempt(500, null, 1, SCHEDULE, () => 0);
    const high = decideAfterAttempt(503, null, 2, SCHEDULE, () => 1);
    expect(low).toEqual({ kind: 'retry', delayMs: 48_000 });
    expect(high).toEqual({ kind: 'retry', delayMs: 360_000 });
    expect(decideAfterAttempt(null, null, 1, SCHEDULE, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
  });

  it('fails after the last scheduled attempt, and treats redirects as failures', () => {
    expect(decideAfterAttempt(500, null, 3, SCHEDULE)).toMatchObject({ kind: 'failed' });
    expect(decideAfterAttempt(302, null, 3, SCHEDULE)).toMatchObject({ kind: 'failed' });
    expect(decideAfterAttempt(301, null, 1, SCHEDULE, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
  });

  it('honours Retry-After on 429 when it asks for longer than the schedule', () => {
    expect(decideAfterAttempt(429, '120', 1, SCHEDULE, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 120_000,
    });
    expect(decideAfterAttempt(429, '5', 1, SCHEDULE, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
    expect(decideAfterAttempt(429, null, 1, SCHEDULE, () => 0.5)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
  });

  it('reads Retry-After as seconds or an HTTP date and caps it at one hour', () => {
    const now = new Date('2026-01-22T12:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Thu, 22 Jan 2026 12:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 22 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('never jitters an immediate attempt', () => {
    expect(withJitter(0, () => 1)).toBe(0);
  });
});
