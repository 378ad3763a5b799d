import { AppError, conflict } from '../../common/errors/app-error.js';
import { sqlStateOf } from '../../database/pg-error.js';

/**
 * One attempt's hold on an Idempotency-Key (SPEC §10), handed by the interceptor to the route and
 * by the route to its service. A service that changes money completes the claim inside its own
 * transaction (`IdempotencyService.completeWithin`, or `claimJson` passed to a SQL function that
 * calls `idempotency_complete`), so the response is committed with the change or not at all.
 */
export interface IdempotencyClaim {
  readonly userId: string;
  readonly key: string;
  /** This attempt's token: the key's row is completed or released only while it holds it. */
  readonly attempt: string;
  /** The status the route answers when it succeeds (201, 202…): what a replay answers. */
  readonly status: number;
  /** Set once the response was written inside the transaction that made the change. */
  completed: boolean;
}

/** Raised by `idempotency_complete` when another attempt took the key over (or it is gone). */
export const IDEMPOTENCY_KEY_LOST = 'IK001';

const keyTakenOver = (): AppError =>
  conflict(
    'IDEMPOTENCY_KEY_IN_USE',
    'Another request with this Idempotency-Key took it over; this one changed nothing',
  );

/** The 409 for a transaction rolled back because its claim was lost; undefined for other errors. */
export function idempotencyKeyLost(error: unknown): AppError | undefined {
  return sqlStateOf(error) === IDEMPOTENCY_KEY_LOST ? keyTakenOver() : undefined;
}

/** The claim and its response as `idempotency_complete(jsonb)` takes them; null without a claim. */
export function claimJson(
  claim: IdempotencyClaim | null | undefined,
  body: unknown,
): string | null {
  if (!claim) return null;
  return JSON.stringify({
    user_id: claim.userId,
    key: claim.key,
    attempt: claim.attempt,
    status: claim.status,
    body: body ?? null,
  });
}

const claims = new WeakMap<object, IdempotencyClaim>();

export function attachClaim(request: object, claim: IdempotencyClaim): void {
  claims.set(request, claim);
}

export function claimOf(request: object): IdempotencyClaim | null {
  return claims.get(request) ?? null;
}

/**
 * A claim handed to a service whose route answers with a view of what the service made (a
 * payment, an order): `respond` builds that answer inside the transaction, from the committed
 * row as the route will show it.
 */
export interface ClaimCompletion<T> {
  claim: IdempotencyClaim | null;
  respond: (result: T) => unknown;
}
