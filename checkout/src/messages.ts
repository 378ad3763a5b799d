/** What the hosted page tells the page that embeds it (postMessage), and nothing else. */
export type CheckoutMessage =
  | { type: 'checkout:complete'; sessionId: string; reference: string }
  | { type: 'checkout:failed'; sessionId: string; reference: string; reason: string }
  | { type: 'checkout:close'; sessionId: string };

/** The public view of a session the hosted page polls. */
export interface SessionStatus {
  status: 'open' | 'processing' | 'complete' | 'expired';
  payment_reference: string | null;
  payment_status: string | null;
  failure_reason: string | null;
}

const TYPES = new Set(['checkout:complete', 'checkout:failed', 'checkout:close']);

/** Narrows untrusted message data to a CheckoutMessage, or undefined. */
export function parseMessage(data: unknown): CheckoutMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if (typeof record.type !== 'string' || !TYPES.has(record.type)) return undefined;
  if (typeof record.sessionId !== 'string') return undefined;
  if (record.type === 'checkout:close')
    return { type: 'checkout:close', sessionId: record.sessionId };
  if (typeof record.reference !== 'string') return undefined;
  if (record.type === 'checkout:complete')
    return { type: 'checkout:complete', sessionId: record.sessionId, reference: record.reference };
  return {
    type: 'checkout:failed',
    sessionId: record.sessionId,
    reference: record.reference,
    reason: typeof record.reason === 'string' ? record.reason : 'payment failed',
  };
}

export const FAILED_PAYMENT_STATUSES = ['failed', 'abandoned', 'canceled'];
