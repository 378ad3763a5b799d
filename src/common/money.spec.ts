import { currencyExponent, majorToMinor, minorToMajorString } from './money.js';

describe('money: minor ↔ major conversion by currency exponent', () => {
  it.each([
    ['NGN', 2, 1050, '10.50'],
    ['NGN', 2, 5, '0.05'],
    ['NGN', 2, 100_000_000, '1000000.00'],
    ['USD', 2, 1999, '19.99'],
    ['USD', 2, 0, '0.00'],
    ['JPY', 0, 1500, '1500'],
    ['JPY', 0, 1, '1'],
    ['KWD', 3, 1234, '1.234'],
    ['KWD', 3, 5, '0.005'],
    ['KWD', 3, 100_000, '100.000'],
  ])('%s (exponent %i): %i minor ↔ "%s"', (currency, exponent, minor, major) => {
    expect(currencyExponent(currency)).toBe(exponent);
    expect(minorToMajorString(minor, currency)).toBe(major);
    expect(majorToMinor(major, currency)).toBe(minor);
  });

  it('reads gateway numbers exactly where a float multiplication would not (0.29 × 100 = 28.999…)', () => {
    expect(0.29 * 100).not.toBe(29);
    expect(majorToMinor(0.29, 'USD')).toBe(29);
    expect(majorToMinor(1.15, 'NGN')).toBe(115);
    expect(majorToMinor(10.5, 'NGN')).toBe(1050);
    expect(majorToMinor(1.005, 'KWD')).toBe(1005);
  });

  it('accepts trailing zeros beyond the exponent and fewer decimals than it', () => {
    expect(majorToMinor('10.500', 'USD')).toBe(1050);
    expect(majorToMinor('1500.0', 'JPY')).toBe(1500);
    expect(majorToMinor('10', 'NGN')).toBe(1000);
    expect(majorToMinor('1.2', 'KWD')).toBe(1200);
  });

  it('refuses more significant decimals than the currency has instead of rounding', () => {
    expect(() => majorToMinor('10.505', 'USD')).toThrow(RangeError);
    expect(() => majorToMinor('1500.5', 'JPY')).toThrow(RangeError);
    expect(() => majorToMinor('1.2345', 'KWD')).toThrow(RangeError);
  });

  it('refuses text that is not a plain decimal amount', () => {
    for (const bad of ['', '1e3', '10,50', '$10', '10.', '.5', 'NaN']) {
      expect(() => majorToMinor(bad, 'USD')).toThrow(RangeError);
    }
  });

  it('round-trips every amount in a range for each exponent', () => {
    for (const currency of ['NGN', 'JPY', 'KWD']) {
      for (let minor = 0; minor < 2_000; minor += 7) {
        expect(majorToMinor(minorToMajorString(minor, currency), currency)).toBe(minor);
      }
    }
  });

  it('keeps the largest safe amount exact', () => {
    expect(minorToMajorString(Number.MAX_SAFE_INTEGER, 'USD')).toBe('90071992547409.91');
    expect(majorToMinor('90071992547409.91', 'USD')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => majorToMinor('90071992547409.92', 'USD')).toThrow(RangeError);
  });
});
