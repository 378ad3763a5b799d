import { formatMinor } from '../lib/money';
import { formatDateTime } from '../lib/time';

/** An API amount (minor units) in major units with its currency. */
export function Amount({ minor, currency }: { minor: number | string; currency: string }) {
  return <span className="amount">{formatMinor(minor, currency)}</span>;
}

/** An API timestamp in the viewer's zone; the exact instant stays machine-readable. */
export function DateTime({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatDateTime(iso)}
    </time>
  );
}
