import {
  CallHandler,
  ExecutionContext,
  HttpStatus,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Response } from 'express';
import { from, Observable } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { AppConfig } from '../../config/app-config.js';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { AppError } from '../errors/app-error.js';
import { RateLimitStore } from './rate-limit.store.js';

const WEBHOOK_PATH = /^\/api\/v1\/webhooks\/([a-z]+)/;

/** Every instance counts a gateway's inbound webhooks in one bucket (THROTTLE_WEBHOOK_LIMIT). */
export function webhookBucket(gateway: string): string {
  return `webhook:${gateway}`;
}

/**
 * Counts one request against `bucket`: sets X-RateLimit-Limit and X-RateLimit-Remaining, and throws
 * 429 RATE_LIMITED with Retry-After once the window's count is over `limit`. While Redis is
 * unreachable the store answers nothing and the request goes through without headers (fail open).
 */
export async function enforceRateLimit(
  store: RateLimitStore,
  config: AppConfig,
  bucket: string,
  limit: number,
  response: Pick<ServerResponse, 'setHeader'>,
): Promise<void> {
  const hit = await store.hit(bucket, config.throttleTtlMs);
  if (!hit) return;
  response.setHeader('X-RateLimit-Limit', String(limit));
  response.setHeader('X-RateLimit-Remaining', String(Math.max(0, limit - hit.count)));
  if (hit.count > limit) {
    const retryAfter = String(Math.max(1, Math.ceil(hit.resetInMs / 1000)));
    throw new AppError(
      HttpStatus.TOO_MANY_REQUESTS,
      'RATE_LIMITED',
      'Too many requests; retry later',
      [],
      {
        'Retry-After': retryAfter,
      },
    );
  }
}

/**
 * Per-principal limits (THROTTLE_LIMIT per THROTTLE_TTL), per-gateway limits for inbound webhooks
 * (THROTTLE_WEBHOOK_LIMIT) and per-IP limits for other public routes. Runs as an interceptor so
 * the auth guard has already said who the principal is.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly store: RateLimitStore,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const { bucket, limit } = this.bucketFor(request);
    return from(enforceRateLimit(this.store, this.config, bucket, limit, response)).pipe(
      mergeMap(() => next.handle()),
    );
  }

  private bucketFor(request: AuthenticatedRequest): { bucket: string; limit: number } {
    const webhook = WEBHOOK_PATH.exec(request.path);
    if (webhook)
      return { bucket: webhookBucket(webhook[1]), limit: this.config.throttleWebhookLimit };
    if (request.principal) {
      const who = request.principal.apiKeyId
        ? `key:${request.principal.apiKeyId}`
        : `user:${request.principal.userId}`;
      return { bucket: who, limit: this.config.throttleLimit };
    }
    return { bucket: `ip:${request.ip ?? 'unknown'}`, limit: this.config.throttleLimit };
  }
}
