import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ChainableCommander, Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { MicroBatcher } from '../batching/micro-batcher.js';

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

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Hit {
  count: number;
  /** Milliseconds until the current window ends. */
  resetInMs: number;
}

/** What `increment` answers while Redis is unreachable: nothing counted, nothing blocked. */
const FAILED_OPEN: ThrottlerStorageRecord = Object.freeze({
  totalHits: 0,
  timeToExpire: 0,
  isBlocked: false,
  timeToBlockExpire: 0,
});

/**
 * @nestjs/throttler's storage, shared by every instance through Redis: one fixed window per key
 * and TTL (the window index is part of the Redis key), counted by an atomic Lua script. While
 * Redis is unreachable nothing is counted and nothing blocked (fail open): an outage of the
 * limiter must not become an outage of payments.
 *
 * A key is blocked for the rest of its window once its count passes the limit
 * (`timeToBlockExpire` is the window's remaining time, whatever `blockDuration` asks): a fixed
 * window needs no separate block record, and the guard's Retry-After then says when the count
 * starts again. Built by RateLimitModule's factory (the throttler takes its storage as an option).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private lastWarning = 0;

  /**
   * Hits of concurrent requests go to Redis together: one pipeline (one write) per batch, with one
   * script call per key, so a busy bucket (a gateway's webhooks) is counted with one INCRBY and
   * many quiet ones (users each sending a request) share the round trip.
   */
  private readonly hits = new MicroBatcher<{ key: string; windowMs: number }, Hit>(
    (hits) => this.hitMany(hits),
    { maxBatch: 1000, maxInFlight: 1, startIdleAtOnce: true },
  );

  constructor(
    private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    // defineCommand sends EVALSHA (falling back to EVAL once per connection), not the script each time.
    if (!('rateLimitHit' in redis))
      redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  }

  /** Counts one request under `key` in the current `ttl` (ms) window, each at its own place. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redis.status !== 'ready') return this.failOpen(`Redis is ${this.redis.status}`);
    const redisKey = `${this.config.redisKeyPrefix}:rl:${key}:${Math.floor(Date.now() / ttl)}`;
    let hit: Hit;
    try {
      hit = await this.hits.submit({ key: redisKey, windowMs: ttl });
    } catch (error) {
      return this.failOpen((error as Error).message);
    }
    const secondsLeft = Math.max(1, Math.ceil(hit.resetInMs / 1000));
    const isBlocked = hit.count > limit;
    return {
      totalHits: hit.count,
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsLeft : 0,
    };
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
    // Each key's script call counted its hits together: they hold count-hits+1 … count, in
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

  private failOpen(reason: string): ThrottlerStorageRecord {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`rate limiting is failing open: ${reason}`);
    }
    return FAILED_OPEN;
  }
}
