export const API_KEY_EXPIRIES = ['1H', '1D', '1M', '1Y'] as const;
export type ApiKeyExpiry = (typeof API_KEY_EXPIRIES)[number];

/** Adds calendar months in UTC, clamping to the last day of a shorter month (Jan 31 + 1M = Feb 28/29). */
function addUtcMonths(from: Date, months: number): Date {
  const target = new Date(from.getTime());
  const day = from.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** When a key created at `from` with this expiry stops working. `1M` is one calendar month. */
export function apiKeyExpiresAt(expiry: ApiKeyExpiry, from: Date): Date {
  switch (expiry) {
    case '1H':
      return new Date(from.getTime() + 3_600_000);
    case '1D':
      return new Date(from.getTime() + 86_400_000);
    case '1M':
      return addUtcMonths(from, 1);
    case '1Y':
      return addUtcMonths(from, 12);
  }
}
