import { randomInt } from 'node:crypto';
import { Luhn } from './luhn.js';

export const WALLET_NUMBER_LENGTH = 13;
export const WALLET_NUMBER_PATTERN = /^\d{13}$/;

/** 12 random digits (first one non-zero, so the number never reads as shorter) and a Luhn check digit. */
export function generateWalletNumber(): string {
  let payload = String(randomInt(1, 10));
  for (let i = 1; i < WALLET_NUMBER_LENGTH - 1; i++) payload += String(randomInt(0, 10));
  return Luhn.append(payload);
}

export function isWellFormedWalletNumber(value: string): boolean {
  return WALLET_NUMBER_PATTERN.test(value) && Luhn.isValid(value);
}
