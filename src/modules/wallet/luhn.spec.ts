import { Luhn } from './luhn.js';
import { generateWalletNumber, isWellFormedWalletNumber } from './wallet-number.js';

describe('Luhn', () => {
  it.each([
    ['7992739871', 3], // the textbook example
    ['4111111111111111'.slice(0, 15), 1], // a well-known Visa test card
    ['37828224631000'.slice(0, 14), 5], // American Express test card 378282246310005
    ['0', 0],
    ['1', 8],
  ])('computes the check digit of %s as %i', (payload, digit) => {
    expect(Luhn.checkDigit(payload)).toBe(digit);
  });

  it('accepts published valid numbers and rejects them with a changed last digit', () => {
    for (const valid of [
      '79927398713',
      '4111111111111111',
      '378282246310005',
      '6011111111111117',
    ]) {
      expect(Luhn.isValid(valid)).toBe(true);
      const wrong = valid.slice(0, -1) + String((Number(valid.at(-1)) + 1) % 10);
      expect(Luhn.isValid(wrong)).toBe(false);
    }
  });

  it('catches every single-digit typo in a wallet number', () => {
    const number = generateWalletNumber();
    for (let position = 0; position < number.length; position++) {
      for (let digit = 0; digit <= 9; digit++) {
        if (String(digit) === number[position]) continue;
        const typo = number.slice(0, position) + String(digit) + number.slice(position + 1);
        expect(Luhn.isValid(typo)).toBe(false);
      }
    }
  });

  it('catches a swap of two adjacent different digits (except 0/9)', () => {
    const number = '123456789012';
    const full = Luhn.append(number);
    const swapped = full.slice(0, 2) + full[3] + full[2] + full.slice(4);
    expect(Luhn.isValid(swapped)).toBe(false);
  });

  it('refuses non-digit input', () => {
    expect(Luhn.isValid('12345a7890123')).toBe(false);
    expect(Luhn.isValid('')).toBe(false);
    expect(() => Luhn.checkDigit('12-3')).toThrow(RangeError);
  });
});

describe('wallet numbers', () => {
  it('are 13 digits, do not start with 0 and pass the Luhn check', () => {
    for (let i = 0; i < 1000; i++) {
      const number = generateWalletNumber();
      expect(number).toMatch(/^[1-9]\d{12}$/);
      expect(isWellFormedWalletNumber(number)).toBe(true);
    }
  });

  it('are not all the same', () => {
    const numbers = new Set(Array.from({ length: 100 }, () => generateWalletNumber()));
    expect(numbers.size).toBeGreaterThan(95);
  });

  it('rejects wrong lengths even when the check digit would fit', () => {
    expect(isWellFormedWalletNumber('79927398713')).toBe(false);
    expect(isWellFormedWalletNumber(Luhn.append('12345678901234'))).toBe(false);
  });
});
