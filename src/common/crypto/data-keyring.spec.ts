import { randomBytes } from 'node:crypto';
import { DataDecryptionError, DataKeyring } from './data-keyring.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const CONTEXT = 'webhook_endpoints:7d3c1b2e-0000-4000-8000-000000000001';

describe('DataKeyring', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('seals to a value that names its key and holds no trace of the plaintext, and opens it again', () => {
    const keyring = new DataKeyring(keyA);
    const sealed = keyring.seal(SECRET, CONTEXT);
    expect(sealed.startsWith(`enc:v1:${DataKeyring.keyId(keyA)}:`)).toBe(true);
    expect(sealed).not.toContain(SECRET);
    expect(sealed).not.toContain(SECRET.slice('whsec_'.length));
    expect(keyring.open(sealed, CONTEXT)).toBe(SECRET);
  });

  it('uses a fresh nonce every time: the same secret never seals to the same value', () => {
    const keyring = new DataKeyring(keyA);
    expect(keyring.seal(SECRET, CONTEXT)).not.toBe(keyring.seal(SECRET, CONTEXT));
  });

  it('refuses a value opened in another context (copied into another row)', () => {
    const keyring = new DataKeyring(keyA);
    const sealed = keyring.seal(SECRET, CONTEXT);
    expect(() => keyring.open(sealed, 'webhook_endpoints:someone-else')).toThrow(
      DataDecryptionError,
    );
  });

  it('refuses a value whose bytes were altered', () => {
    const keyring = new DataKeyring(keyA);
    const sealed = keyring.seal(SECRET, CONTEXT);
    const body = Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64url');
    body[body.length - 20] ^= 1;
    const altered = `${sealed.slice(0, sealed.lastIndexOf(':') + 1)}${body.toString('base64url')}`;
    expect(() => keyring.open(altered, CONTEXT)).toThrow(/does not authenticate/);
  });

  it('opens values of an old key after a rotation and seals them again with the new one', () => {
    const before = new DataKeyring(keyA).seal(SECRET, CONTEXT);
    const rotated = new DataKeyring(keyB, [keyA]);
    expect(rotated.isCurrent(before)).toBe(false);
    expect(rotated.open(before, CONTEXT)).toBe(SECRET);
    const after = rotated.reseal(before, CONTEXT);
    expect(DataKeyring.keyIdOf(after)).toBe(DataKeyring.keyId(keyB));
    expect(new DataKeyring(keyB).open(after, CONTEXT)).toBe(SECRET);
    expect(rotated.reseal(after, CONTEXT)).toBe(after);
  });

  it('names the missing key, and nothing of the value, when a key is not configured', () => {
    const sealed = new DataKeyring(keyA).seal(SECRET, CONTEXT);
    let message = '';
    try {
      new DataKeyring(keyB).open(sealed, CONTEXT);
    } catch (error) {
      expect(error).toBeInstanceOf(DataDecryptionError);
      message = (error as Error).message;
    }
    expect(message).toContain(`sealed with data key ${DataKeyring.keyId(keyA)}`);
    expect(message).toContain('DATA_ENCRYPTION_OLD_KEYS');
    expect(message).not.toContain(sealed.slice(20));
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new DataKeyring(randomBytes(16))).toThrow('32 bytes');
  });
});
