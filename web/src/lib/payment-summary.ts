import type { Payment } from '../api/schema';

export interface StatusCounts {
  /** status → how many payments created since the start of the day are in it. */
  counts: Record<string, number>;
  total: number;
  /** False when the pages fetched stopped before reaching a payment older than `since`. */
  complete: boolean;
}

/**
 * Counts today's payments by state from the newest-first payment list: counting stops at the
 * first payment created before `since`. If the fetched pages never get that far, the counts are
 * a lower bound and say so.
 */
export function countByStatusSince(
  pages: ReadonlyArray<{ payments: ReadonlyArray<Payment>; next_cursor: string | null }>,
  since: Date,
): StatusCounts {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const page of pages) {
    for (const payment of page.payments) {
      if (new Date(payment.created_at).getTime() < since.getTime()) {
        return { counts, total, complete: true };
      }
      counts[payment.status] = (counts[payment.status] ?? 0) + 1;
      total += 1;
    }
  }
  const last = pages[pages.length - 1];
  return { counts, total, complete: last === undefined || last.next_cursor === null };
}
