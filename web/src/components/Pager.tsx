interface CursorPagerProps {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  label: string;
}

export function CursorPager({
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
  label,
}: CursorPagerProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="button" onClick={onPrevious} disabled={!hasPrevious}>
        Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" className="button" onClick={onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}
