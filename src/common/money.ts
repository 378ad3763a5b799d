import type { ValueTransformer } from 'typeorm';

/**
 * Money is an integer count of the currency's minor unit, held in TypeScript as a `number` that
 * is always a safe integer (|n| ≤ 2^53−1) and in Postgres as `bigint`. It never passes through
 * a float: the database returns bigint as a string and we convert with a range check.
 */
export type Minor = number;

export const MAX_MINOR = Number.MAX_SAFE_INTEGER;

export function assertMinor(value: unknown, what = 'amount'): Minor {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(
      `${what} must be a safe integer number of minor units, got ${String(value)}`,
    );
  }
  return value;
}

export function minorFromDb(value: string | number | bigint | null): Minor {
  if (value === null) throw new RangeError('money column is null');
  const big = BigInt(value);
  if (big > BigInt(MAX_MINOR) || big < -BigInt(MAX_MINOR)) {
    throw new RangeError(`money value ${big} is outside the safe integer range`);
  }
  return Number(big);
}

/** TypeORM transformer for `bigint` money columns. */
export const moneyColumn: ValueTransformer = {
  to: (value: Minor | null | undefined) =>
    value === null || value === undefined ? value : String(assertMinor(value)),
  from: (value: string | null) => (value === null ? null : minorFromDb(value)),
};

/** Adds minor amounts, refusing a result that leaves the safe range. */
export function addMinor(a: Minor, b: Minor): Minor {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError('amount overflow');
  return sum;
}

/** ISO-4217 exponents that differ from 2; everything else has two minor digits. */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENT_EXCEPTIONS[currency.toUpperCase()] ?? 2;
}

/** Minor units → decimal string in major units ("1050" NGN → "10.50"), exact. */
export function minorToMajorString(amount: Minor, currency: string): string {
  assertMinor(amount);
  const exponent = currencyExponent(currency);
  const negative = amount < 0;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, '0');
  const major =
    exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${major}` : major;
}

/** Decimal major units (string or number as sent by a gateway) → minor units, exact or throws. */
export function majorToMinor(value: string | number, currency: string): Minor {
  const exponent = currencyExponent(currency);
  const text = typeof value === 'number' ? numberToPlainString(value) : value.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not a decimal amount`);
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    throw new RangeError(`"${text}" has more decimals than ${currency} allows (${exponent})`);
  }
  const minor = BigInt(match[2] + fraction.padEnd(exponent, '0'));
  if (minor > BigInt(MAX_MINOR)) throw new RangeError(`"${text}" is too large`);
  return match[1] ? -Number(minor) : Number(minor);
}

/** Formats a JS number the way it was written (no exponent notation) for exact parsing. */
function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a finite amount`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
}
