/**
 * Amounts arrive from the API as integer counts of the currency's minor unit. The exponent table
 * is the server's (src/common/money.ts) so the dashboard shows exactly the digits the ledger
 * counts; conversions go through strings, never through a float.
 */

/** ISO-4217 exponents that differ from 2; everything else has two minor digits. */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
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

/**
 * Minor units → exact decimal string in major units (1050 NGN → "10.50"). Takes a safe integer,
 * or a string of digits for the ledger's bigint totals, which may exceed 2^53.
 */
export function minorToMajorString(amount: number | string, currency: string): string {
  const text = String(amount);
  if (typeof amount === 'number' ? !Number.isSafeInteger(amount) : !/^-?\d+$/.test(text)) {
    throw new RangeError(`${text} is not a whole number of minor units`);
  }
  const negative = text.startsWith('-');
  const exponent = currencyExponent(currency);
  const digits = (negative ? text.slice(1) : text)
    .replace(/^0+(?=\d)/, '')
    .padStart(exponent + 1, '0');
  const major =
    exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative && /[1-9]/.test(digits) ? `-${major}` : major;
}

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string | undefined): Intl.NumberFormat {
  const exponent = currencyExponent(currency);
  const key = `${locale ?? ''}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      // The ledger's exponent, not the browser's idea of the currency's digits.
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * 1050 NGN → "NGN 10.50" / "₦10.50" (depending on the viewer's locale). Intl formats the exact
 * decimal string, so no amount is rounded through a binary float.
 */
export function formatMinor(amount: number | string, currency: string, locale?: string): string {
  const major = minorToMajorString(amount, currency) as Intl.StringNumericLiteral;
  return formatterFor(currency, locale).format(major);
}

/**
 * What a person typed in major units ("10.5", "1,000.25") → minor units, or an error message that
 * says what to fix. Negative amounts and more decimals than the currency has are refused.
 */
export function parseMajorInput(
  text: string,
  currency: string,
): { ok: true; minor: number } | { ok: false; message: string } {
  const exponent = currencyExponent(currency);
  const cleaned = text.trim().replace(/[\s,_]/g, '');
  if (cleaned === '') return { ok: false, message: 'Enter an amount.' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) {
    return { ok: false, message: 'Enter the amount as a number, for example 10.50.' };
  }
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `${currency.toUpperCase()} has no minor unit: enter a whole amount.`
          : `${currency.toUpperCase()} allows at most ${exponent} decimal places.`,
    };
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, message: 'That amount is too large.' };
  }
  if (minor === 0n) return { ok: false, message: 'Enter an amount greater than zero.' };
  return { ok: true, minor: Number(minor) };
}
