import { useCallback, useState } from 'react';
import { newIdempotencyKey } from '../api/client';

/**
 * One Idempotency-Key per intended operation: the same key while the person retries the same
 * submission (so a lost answer cannot move money twice), a new one after success or when they
 * change what they are asking for.
 */
export function useIdempotencyKey(): { key: string; renew(): void } {
  const [key, setKey] = useState(newIdempotencyKey);
  const renew = useCallback(() => setKey(newIdempotencyKey()), []);
  return { key, renew };
}
