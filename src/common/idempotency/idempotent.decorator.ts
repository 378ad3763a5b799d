import { SetMetadata } from '@nestjs/common';

export const IDEMPOTENT = 'idempotency:enabled';

/**
 * The route honours `Idempotency-Key` (SPEC §10): the same key with the same body replays the
 * first answer, a different body or route is 422, a twin still in flight is 409.
 */
export const Idempotent = (): MethodDecorator => SetMetadata(IDEMPOTENT, true);
