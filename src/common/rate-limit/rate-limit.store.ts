import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
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

type HitCommand = (key: string, windowMs: string, hits: string) => Promise<[number, number]>;

/**
 * Counters shared by every instance through Redis. While Redis is unreachable `hit` returns
 * undefined and the caller lets the request through (fail open): an outage of the limiter must
 * not become an outage of payments.
 */
@Injectable()
export class RateLimitStore {
  private readonly logger = new Logger(RateLimitStore.name);
  private lastWarning = 0;

  private readonly batchers = new Map<string, MicroBatcher<number, Hit>>();
  private readonly hitCommand: HitCommand;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    // defineCommand sends EVALSHA (falling back to EVAL once per connection), not the script each time.
    if (!('rateLimitHit' in redis))
      redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    const command = (redis as unknown as { rateLimitHit: HitCommand }).rateLimitHit;
    this.hitCommand = (key, windowMs, hits) => command.call(redis, key, windowMs, hits);
  }

  /**
   * Counts one request. A request whose bucket has no call in flight is counted at once; those
   * arriving while one is in flight (a busy bucket, e.g. a gateway's webhooks) are counted together
   * by the next script call (EVALSHA), each at its own place in the count, so the limit is as exact
   * as one call per request.
   */
  async hit(bucket: string, windowMs: number): Promise<Hit | undefined> {
    if (this.redis.status !== 'ready') return this.failOpen(`Redis is ${this.redis.status}`);
    const key = `${this.config.redisKeyPrefix}:rl:${bucket}:${Math.floor(Date.now() / windowMs)}`;
    let batcher = this.batchers.get(key);
    if (!batcher) {
      batcher = new MicroBatcher<number, Hit>((hits) => this.hitMany(key, windowMs, hits.length), {
        maxBatch: 1000,
        maxInFlight: 1,
        startIdleAtOnce: true,
      });
      this.batchers.set(key, batcher);
    }
    try {
      return await batcher.submit(windowMs);
    } catch (error) {
      return this.failOpen((error as Error).message);
    } finally {
      // Once its batch has fully finished (a turn later), an idle batcher is dropped: keys change every window.
      setImmediate(() => {
        if (batcher.idle && this.batchers.get(key) === batcher) this.batchers.delete(key);
      });
    }
  }

  private async hitMany(key: string, windowMs: number, hits: number): Promise<Hit[]> {
    const [count, ttl] = await this.hitCommand(key, String(windowMs), String(hits));
    // The batch holds counts count-hits+1 … count, in arrival order.
    return Array.from({ length: hits }, (_, i) => ({
      count: count - hits + 1 + i,
      resetInMs: ttl,
    }));
  }

  private failOpen(reason: string): undefined {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`rate limiting is failing open: ${reason}`);
    }
    return undefined;
  }
}
