import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { MicroBatcher } from '../batching/micro-batcher.js';
import { REDIS } from '../redis/redis.tokens.js';

export interface Hit {
  count: number;
  /** Milliseconds until the current window ends. */
  resetInMs: number;
}

// Fixed window: the first hits of a window set its expiry; INCRBY and PEXPIRE are atomic together.
// ARGV[2] hits are counted at once (concurrent requests of one bucket share the round trip).
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** The script as a command of a pipeline (see defineCommand in the constructor). */
type HitPipeline = ChainableCommander & {
  rateLimitHit(key: string, windowMs: string, hits: string): HitPipeline;
};

/**
 * Counters shared by every instance through Redis. While Redis is unreachable `hit` returns
 * undefined and the caller lets the request through (fail open): an outage of the limiter must
 * not become an outage of payments.
 */
@Injectable()
export class RateLimitStore {
  private readonly logger = new Logger(RateLimitStore.name);
  private lastWarning = 0;

  /**
   * Hits of concurrent requests go to Redis together: one pipeline (one write) per batch, with one
   * script call per bucket, so a busy bucket (a gateway's webhooks) is counted with one INCRBY
   * and many quiet ones (users each sending a request) share the round trip.
   */
  private readonly hits = new MicroBatcher<{ key: string; windowMs: number }, Hit>(
    (hits) => this.hitMany(hits),
    { maxBatch: 1000, maxInFlight: 1, startIdleAtOnce: true },
  );

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    // defineCommand sends EVALSHA (falling back to EVAL once per connection), not the script each time.
    if (!('rateLimitHit' in redis))
      redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  /**
   * Counts one request, each at its own place in its bucket's count (as exact as one script call
   * per request).
   */
  async hit(bucket: string, windowMs: number): Promise<Hit | undefined> {
    if (this.redis.status !== 'ready') return this.failOpen(`Redis is ${this.redis.status}`);
    const key = `${this.config.redisKeyPrefix}:rl:${bucket}:${Math.floor(Date.now() / windowMs)}`;
    try {
      return await this.hits.submit({ key, windowMs });
    } catch (error) {
      return this.failOpen((error as Error).message);
    }
  }

  private async hitMany(hits: { key: string; windowMs: number }[]): Promise<Hit[]> {
    const buckets = new Map<string, { windowMs: number; hits: number }>();
    for (const { key, windowMs } of hits) {
      const bucket = buckets.get(key);
      if (bucket) bucket.hits++;
      else buckets.set(key, { windowMs, hits: 1 });
    }
    const pipeline = this.redis.pipeline() as HitPipeline;
    for (const [key, bucket] of buckets)
      pipeline.rateLimitHit(key, String(bucket.windowMs), String(bucket.hits));
    const replies = (await pipeline.exec()) ?? [];
    // Each bucket's script call counted its hits together: they hold count-hits+1 … count, in
    // arrival order.
    const counted = new Map<string, { next: number; resetInMs: number }>();
    [...buckets.entries()].forEach(([key, bucket], i) => {
      const [error, reply] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      const [count, ttl] = reply as [number, number];
      counted.set(key, { next: count - bucket.hits + 1, resetInMs: ttl });
    });
    return hits.map(({ key }) => {
      const bucket = counted.get(key) as { next: number; resetInMs: number };
      return { count: bucket.next++, resetInMs: bucket.resetInMs };
    });
  }

  private failOpen(reason: string): undefined {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`rate limiting is failing open: ${reason}`);
    }
    return undefined;
  }
}
