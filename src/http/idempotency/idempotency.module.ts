import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyService } from './idempotency.service.js';

/**
 * Idempotency-Key (SPEC §10): the interceptor on routes marked @Idempotent(), and the service
 * whose claims a route's service completes inside the transaction of its change.
 */
@Global()
@Module({
  providers: [
    IdempotencyService,
    IdempotencyInterceptor,
    // Rate limits are a guard (RateLimitModule): they answer before an idempotency key is taken.
    { provide: APP_INTERCEPTOR, useExisting: IdempotencyInterceptor },
  ],
  // The interceptor too: lean controller routes run it (app.module.ts, nestPipeline).
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
