/** The Luhn (mod 10) check digit scheme, as used on card numbers: catches every single-digit typo and most swaps. */
export const Luhn = {
  /** The digit to append to `payload` (digits only) so that the whole number passes the check. */
  checkDigit(payload: string): number {
    assertDigits(payload);
    // Doubling starts at the rightmost payload digit, because the check digit will sit to its right.
    let sum = 0;
    for (let i = 0; i < payload.length; i++) {
      let digit = payload.charCodeAt(payload.length - 1 - i) - 48;
      if (i % 2 === 0) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    return (10 - (sum % 10)) % 10;
  },

  /** Whether `value` (digits only, check digit last) passes the check. */
  isValid(value: string): boolean {
    if (!/^\d{2,}$/.test(value)) return false;
    return Luhn.checkDigit(value.slice(0, -1)) === value.charCodeAt(value.length - 1) - 48;
  },

  /** `payload` with its check digit appended. */
  append(payload: string): string {
    return `${payload}${Luhn.checkDigit(payload)}`;
  },
};

function assertDigits(value: string): void {
  if (!/^\d+$/.test(value)) throw new RangeError(`Luhn works on digits only, got "${value}"`);
}
