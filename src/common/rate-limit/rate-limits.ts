import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config.js';
import { AppError } from '../errors/app-error.js';

/** Where X-RateLimit-* headers go: an Express response or the lean route's ServerResponse. */
export interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

/**
 * The buckets, one namespace for the guard and the counts made by hand. A user's JWT and all of
 * that user's API keys share `user:`; requests without a principal count per client address.
 */
export const RateLimitBucket = {
  user: (userId: string): string => `user:${userId}`,
  ip: (ip: string): string => `ip:${ip}`,
  /** Requests that failed to prove who sent them: bad credentials, bad webhook signatures. */
  unverified: (ip: string): string => `unverified:${ip}`,
  /** Every instance counts a gateway's verified webhooks in one bucket (THROTTLE_WEBHOOK_LIMIT). */
  webhook: (gateway: string): string => `webhook:${gateway}`,
};

const MAX_REMEMBERED = 4096;

/** 429 RATE_LIMITED in the SPEC shape, with Retry-After in seconds. */
export function rateLimited(retryAfterSeconds: number): AppError {
  return new AppError(
    HttpStatus.TOO_MANY_REQUESTS,
    'RATE_LIMITED',
    'Too many requests; retry later',
    [],
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  );
}

/**
 * The counts that cannot be made by ThrottlerGuard before the route runs, because they depend on
 * how authentication or a webhook's signature check turned out. They use the throttler's storage
 * (shared through Redis, failing open) and its window (THROTTLE_TTL).
 */
@Injectable()
export class RateLimits {
  /**
   * Addresses this process has seen go over their limit of unverified requests, with the time
   * their window ends: lets a webhook whose check would call the gateway be refused before the
   * call, at no cost to anyone else.
   */
  private readonly overUnverifiedLimit = new Map<string, number>();

  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** Counts a verified webhook against its gateway's bucket; 429 once the gateway is over. */
  async countWebhook(gateway: string, response?: HeaderSink): Promise<void> {
    const wait = await this.count(
      RateLimitBucket.webhook(gateway),
      this.config.throttleWebhookLimit,
      response,
    );
    if (wait !== undefined) throw rateLimited(wait);
  }

  /**
   * Counts a request that failed to prove its sender against its client address (THROTTLE_LIMIT
   * per THROTTLE_TTL); 429 instead of the caller's own answer once the address is over.
   */
  async countUnverified(ip: string, response?: HeaderSink): Promise<void> {
    const wait = await this.count(
      RateLimitBucket.unverified(ip),
      this.config.throttleLimit,
      response,
    );
    if (wait === undefined) return;
    this.remember(ip, Date.now() + wait * 1000);
    throw rateLimited(wait);
  }

  /** 429 at once for an address this process last saw over its limit of unverified requests. */
  refuseIfOverUnverifiedLimit(ip: string): void {
    const until = this.overUnverifiedLimit.get(ip);
    if (until === undefined) return;
    if (until <= Date.now()) {
      this.overUnverifiedLimit.delete(ip);
      return;
    }
    throw rateLimited((until - Date.now()) / 1000);
  }

  /**
   * One hit in `bucket`: sets X-RateLimit-Limit and -Remaining, and answers the seconds until the
   * window ends when the count is over `limit` (undefined otherwise). While the storage fails
   * open nothing is counted, set or refused.
   */
  private async count(
    bucket: string,
    limit: number,
    response: HeaderSink | undefined,
  ): Promise<number | undefined> {
    const ttl = this.config.throttleTtlMs;
    const record = await this.storage.increment(bucket, ttl, limit, ttl, 'default');
    if (record.totalHits === 0) return undefined;
    response?.setHeader('X-RateLimit-Limit', String(limit));
    response?.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    return record.isBlocked ? record.timeToBlockExpire : undefined;
  }

  private remember(ip: string, until: number): void {
    // Bounded: past MAX_REMEMBERED the expired go, and if that is not enough, all do (an address
    // forgotten early only gets its checks again until its next count over the limit).
    if (this.overUnverifiedLimit.size >= MAX_REMEMBERED) {
      const now = Date.now();
      for (const [known, end] of this.overUnverifiedLimit)
        if (end <= now) this.overUnverifiedLimit.delete(known);
      if (this.overUnverifiedLimit.size >= MAX_REMEMBERED) this.overUnverifiedLimit.clear();
    }
    this.overUnverifiedLimit.set(ip, until);
  }
}
