import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { claimOf, type IdempotencyClaim } from './idempotency-claim.js';

export const IDEMPOTENT = 'idempotency:enabled';

/**
 * The route honours `Idempotency-Key` (SPEC §10): the same key with the same body replays the
 * first answer, a different body or route is 422, a twin still in flight is 409.
 */
export const Idempotent = (): MethodDecorator => SetMetadata(IDEMPOTENT, true);

/**
 * The request's hold on its Idempotency-Key, or null when it sent none. A route that changes
 * money passes it to its service, which completes it inside the transaction of the change.
 */
export const CurrentIdempotencyClaim = createParamDecorator(
  (_: unknown, context: ExecutionContext): IdempotencyClaim | null =>
    claimOf(context.switchToHttp().getRequest<object>()),
);
