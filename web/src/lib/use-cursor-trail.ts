import { useState } from 'react';
import {
  currentCursor,
  firstPage,
  nextPage,
  pageNumber,
  previousPage,
  type CursorTrail,
} from './paging';

/**
 * Cursor paging state for one list. `resetKey` names the filters: when they change, paging starts
 * again from the first page.
 */
export function useCursorTrail(resetKey: string) {
  const [state, setState] = useState<{ key: string; trail: CursorTrail }>({
    key: resetKey,
    trail: firstPage,
  });
  const trail = state.key === resetKey ? state.trail : firstPage;
  return {
    cursor: currentCursor(trail),
    page: pageNumber(trail),
    hasPrevious: pageNumber(trail) > 1,
    next: (cursor: string | null | undefined) =>
      setState({ key: resetKey, trail: nextPage(trail, cursor) }),
    previous: () => setState({ key: resetKey, trail: previousPage(trail) }),
  };
}
