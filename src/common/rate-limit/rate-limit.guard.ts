import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthenticatedRequest } from '../auth/auth.decorators.js';
import { clientIp } from './client-ip.js';
import { RateLimitBucket, rateLimited } from './rate-limits.js';

/**
 * @nestjs/throttler's guard with this service's buckets: THROTTLE_LIMIT per THROTTLE_TTL for each
 * user (a JWT and every API key of that user count together, across all routes), and for each
 * client address on routes that need no principal. It runs after the auth guard (the composition
 * root registers them in that order), so the principal is known. Inbound webhooks skip it: they
 * are counted per gateway only once their signature is verified (webhook intake).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override getTracker(req: AuthenticatedRequest): Promise<string> {
    return Promise.resolve(
      req.principal
        ? RateLimitBucket.user(req.principal.userId)
        : RateLimitBucket.ip(clientIp(req)),
    );
  }

  /** One bucket per tracker across all routes (the default would make one per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return tracker;
  }

  /** 429 in the SPEC error shape (the guard has already set Retry-After). */
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(rateLimited(detail.timeToBlockExpire));
  }
}
