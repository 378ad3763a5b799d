/**
 * Cursor paging keeps the cursors that led to each page seen so far, so "Previous" goes back
 * without the API having to page backwards. The first page has no cursor.
 */
export interface CursorTrail {
  /** cursors[i] fetched page i; cursors[0] is undefined. */
  readonly cursors: ReadonlyArray<string | undefined>;
}

export const firstPage: CursorTrail = { cursors: [undefined] };

export function currentCursor(trail: CursorTrail): string | undefined {
  return trail.cursors[trail.cursors.length - 1];
}

export function pageNumber(trail: CursorTrail): number {
  return trail.cursors.length;
}

export function nextPage(trail: CursorTrail, nextCursor: string | null | undefined): CursorTrail {
  if (!nextCursor) return trail;
  return { cursors: [...trail.cursors, nextCursor] };
}

export function previousPage(trail: CursorTrail): CursorTrail {
  if (trail.cursors.length <= 1) return trail;
  return { cursors: trail.cursors.slice(0, -1) };
}

/** Offset paging as the delivery log answers it: where this page sits in the total. */
export function offsetWindow(
  total: number,
  limit: number,
  offset: number,
): {
  from: number;
  to: number;
  hasPrevious: boolean;
  hasNext: boolean;
  previousOffset: number;
  nextOffset: number;
} {
  const from = total === 0 ? 0 : Math.min(offset + 1, total);
  const to = Math.min(offset + limit, total);
  return {
    from,
    to,
    hasPrevious: offset > 0,
    hasNext: offset + limit < total,
    previousOffset: Math.max(0, offset - limit),
    nextOffset: offset + limit,
  };
}
