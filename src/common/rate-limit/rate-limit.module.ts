import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { REDIS } from '../redis/redis.tokens.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RedisThrottlerStorage } from './rate-limit.store.js';
import { RateLimits } from './rate-limits.js';

/**
 * Rate limits (SPEC §11) through @nestjs/throttler with a Redis storage. The guard is exported
 * for the composition root to register after the auth guard.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS],
      useFactory: (config: AppConfig, redis: Redis) => ({
        throttlers: [{ name: 'default', ttl: config.throttleTtlMs, limit: config.throttleLimit }],
        storage: new RedisThrottlerStorage(redis, config),
      }),
    }),
  ],
  providers: [RateLimitGuard, RateLimits],
  exports: [RateLimitGuard, RateLimits],
})
export class RateLimitModule {}
