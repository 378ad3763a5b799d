import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { REDIS } from '../redis/redis.tokens.js';

export interface Hit {
  count: number;
  /** Milliseconds until the current window ends. */
  resetInMs: number;
}

// Fixed window: the first hit of a window sets its expiry; INCR and PEXPIRE are atomic together.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/**
 * Counters shared by every instance through Redis. While Redis is unreachable `hit` returns
 * undefined and the caller lets the request through (fail open): an outage of the limiter must
 * not become an outage of payments.
 */
@Injectable()
export class RateLimitStore {
  private readonly logger = new Logger(RateLimitStore.name);
  private lastWarning = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async hit(bucket: string, windowMs: number): Promise<Hit | undefined> {
    if (this.redis.status !== 'ready') return this.failOpen(`Redis is ${this.redis.status}`);
    try {
      const key = `${this.config.redisKeyPrefix}:rl:${bucket}:${Math.floor(Date.now() / windowMs)}`;
      const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, key, String(windowMs))) as [number, number];
      return { count, resetInMs: ttl };
    } catch (error) {
      return this.failOpen((error as Error).message);
    }
  }

  private failOpen(reason: string): undefined {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`rate limiting is failing open: ${reason}`);
    }
    return undefined;
  }
}
