import { currencyExponent, formatMinor, minorToMajorString, parseMajorInput } from './money';

describe('dashboard money', () => {
  it('uses the server exponent table: 0 for JPY and UGX, 3 for KWD, 2 otherwise', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('ugx')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('NGN')).toBe(2);
  });

  it('turns minor units into exact major-unit strings', () => {
    expect(minorToMajorString(1050, 'NGN')).toBe('10.50');
    expect(minorToMajorString(5, 'USD')).toBe('0.05');
    expect(minorToMajorString(-5, 'USD')).toBe('-0.05');
    expect(minorToMajorString(1234, 'KWD')).toBe('1.234');
    expect(minorToMajorString(500, 'JPY')).toBe('500');
    expect(() => minorToMajorString(1.5, 'USD')).toThrow(RangeError);
    expect(() => minorToMajorString('1.5', 'USD')).toThrow(RangeError);
  });

  it('reads the ledger check totals, which are digit strings beyond 2^53, exactly', () => {
    expect(minorToMajorString('123456789012345678901', 'NGN')).toBe('1234567890123456789.01');
    expect(minorToMajorString('-7', 'USD')).toBe('-0.07');
    expect(minorToMajorString('-0', 'USD')).toBe('0.00');
    expect(formatMinor('900719925474099300', 'USD', 'en-US')).toBe('$9,007,199,254,740,993.00');
  });

  it('formats with the currency and exactly the ledger digits', () => {
    expect(formatMinor(1050, 'USD', 'en-US')).toBe('$10.50');
    expect(formatMinor(100000, 'NGN', 'en-NG')).toBe('₦1,000.00');
    expect(formatMinor(1234, 'KWD', 'en-US')).toBe('KWD\u00a01.234');
    expect(formatMinor(500, 'JPY', 'en-US')).toBe('¥500');
    expect(formatMinor(5000, 'UGX', 'en-US')).toBe('UGX\u00a05,000');
    // Where the browser's currency data disagrees with the ledger (ICU shows HUF and IDR without
    // decimals, IQD with none instead of 3), the ledger's digits win: 12345 fillér is 123.45 HUF.
    expect(formatMinor(12345, 'HUF', 'en-US')).toBe('HUF\u00a0123.45');
    expect(formatMinor(1500050, 'IDR', 'en-US')).toBe('IDR\u00a015,000.50');
    expect(formatMinor(1234, 'IQD', 'en-US')).toBe('IQD\u00a01.234');
  });

  it('formats the largest safe amount without rounding through a float', () => {
    expect(formatMinor(Number.MAX_SAFE_INTEGER, 'USD', 'en-US')).toBe('$90,071,992,547,409.91');
  });

  it('reads what a person typed in major units, exactly', () => {
    expect(parseMajorInput('10.5', 'NGN')).toEqual({ ok: true, minor: 1050 });
    expect(parseMajorInput(' 1,000.25 ', 'USD')).toEqual({ ok: true, minor: 100025 });
    expect(parseMajorInput('0.29', 'USD')).toEqual({ ok: true, minor: 29 });
    expect(parseMajorInput('1.230', 'KWD')).toEqual({ ok: true, minor: 1230 });
    expect(parseMajorInput('7', 'JPY')).toEqual({ ok: true, minor: 7 });
  });

  it('refuses input it cannot read exactly, saying what to fix', () => {
    expect(parseMajorInput('', 'USD')).toEqual({ ok: false, message: 'Enter an amount.' });
    expect(parseMajorInput('10.001', 'USD')).toEqual({
      ok: false,
      message: 'USD allows at most 2 decimal places.',
    });
    expect(parseMajorInput('7.5', 'JPY')).toEqual({
      ok: false,
      message: 'JPY has no minor unit: enter a whole amount.',
    });
    expect(parseMajorInput('-5', 'USD').ok).toBe(false);
    expect(parseMajorInput('1e3', 'USD').ok).toBe(false);
    expect(parseMajorInput('0.00', 'USD')).toEqual({
      ok: false,
      message: 'Enter an amount greater than zero.',
    });
    expect(parseMajorInput('90071992547409.92', 'USD')).toEqual({
      ok: false,
      message: 'That amount is too large.',
    });
  });
});
