import { createHash, randomBytes } from 'node:crypto';

/** SHA-256 of a credential: what we store and look up instead of the credential itself. */
export const sha256 = (value: string): Buffer =>
  createHash('sha256').update(value, 'utf8').digest();

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export const randomToken = (): string => randomBytes(32).toString('base64url');
